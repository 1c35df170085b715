//! The JSON form of a `TableEncoding`, as model files and `X.encoding.json` store it: sorted keys, exact numbers.

use serde_json::{Map, Value, json};

use super::encoding::{Classes, ColumnKind, InputColumn, TableEncoding, TargetColumn};
use super::options::Impute;

/// The value of the `format` key.
pub const ENCODING_FORMAT: &str = "descent-table";

/// A JSON text that is not a table encoding [`TableEncoding::to_json`] writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid table encoding: {reason}")]
pub struct InvalidEncoding {
    /// What is wrong, in words.
    pub reason: String,
}

impl TableEncoding {
    /// The encoding as one line of JSON with sorted keys, so the same encoding always gives
    /// the same text; numbers are written so that [`TableEncoding::from_json`] reads them
    /// back exactly.
    ///
    /// ```text
    /// {"columns":[{"fill":3.5,"name":"bill","type":"numeric"},
    ///   {"categories":["Biscoe","Dream"],"missing":true,"name":"island","type":"categorical"}],
    ///  "format":"descent-table","impute":"median",
    ///  "target":{"classes":["Adelie","Gentoo"],"name":"species","numeric":false},"version":1}
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        let columns: Vec<Value> = self
            .columns
            .iter()
            .map(|c| match &c.kind {
                ColumnKind::Numeric { fill } => {
                    json!({"name": c.name, "type": "numeric", "fill": fill})
                }
                ColumnKind::Categorical { categories, missing } => json!({
                    "name": c.name, "type": "categorical", "categories": categories,
                    "missing": missing,
                }),
            })
            .collect();
        let target = match &self.target.classes {
            None => json!({"name": self.target.name, "classes": null, "numeric": true}),
            Some(c) => json!({
                "name": self.target.name, "classes": c.names, "numeric": c.values.is_some(),
            }),
        };
        let value = json!({
            "format": ENCODING_FORMAT,
            "version": 1,
            "impute": self.impute.name(),
            "columns": columns,
            "target": target,
        });
        sorted(value).to_string()
    }

    /// Reads an encoding written by [`TableEncoding::to_json`].
    ///
    /// # Errors
    /// [`InvalidEncoding`] for text that is not JSON, lacks a key, or holds unsorted or
    /// repeated categories or classes.
    pub fn from_json(text: &str) -> Result<Self, InvalidEncoding> {
        let bad = |reason: &str| InvalidEncoding { reason: reason.to_owned() };
        let value: Value = serde_json::from_str(text)
            .map_err(|e| InvalidEncoding { reason: format!("not JSON ({e})") })?;
        if value["format"] != ENCODING_FORMAT {
            return Err(bad("`format` is not `descent-table`"));
        }
        if value["version"] != 1 {
            return Err(bad("`version` is not 1 (a newer descent wrote it?)"));
        }
        let impute = value["impute"]
            .as_str()
            .and_then(Impute::from_name)
            .ok_or_else(|| bad("`impute` is not none, mean, median or most-frequent"))?;
        let columns = value["columns"]
            .as_array()
            .ok_or_else(|| bad("`columns` is not a list"))?
            .iter()
            .map(read_column)
            .collect::<Result<Vec<_>, _>>()?;
        if columns.is_empty() {
            return Err(bad("`columns` is empty"));
        }
        let target = &value["target"];
        let name = target["name"].as_str().ok_or_else(|| bad("the target has no `name`"))?;
        let classes = match &target["classes"] {
            Value::Null => None,
            list => {
                let names = strings(list).ok_or_else(|| bad("`classes` is not a list of text"))?;
                if names.len() < 2 {
                    return Err(bad("a classifier needs at least two classes"));
                }
                if target["numeric"] == true {
                    let values: Vec<f64> = names
                        .iter()
                        .map(|n| n.parse::<f64>().ok().filter(|x| x.is_finite()))
                        .collect::<Option<_>>()
                        .ok_or_else(|| bad("numeric `classes` are not all numbers"))?;
                    if !values.is_sorted_by(|a, b| a < b) {
                        return Err(bad("numeric `classes` are not in increasing order"));
                    }
                    Some(Classes { names, values: Some(values) })
                } else {
                    if !names.is_sorted_by(|a, b| a < b) {
                        return Err(bad("`classes` are not distinct and in byte order"));
                    }
                    Some(Classes { names, values: None })
                }
            }
        };
        let target = TargetColumn { name: name.to_owned(), classes };
        Ok(TableEncoding::new(columns, target, impute))
    }
}

/// One input column of the JSON form.
fn read_column(value: &Value) -> Result<InputColumn, InvalidEncoding> {
    let bad = |reason: String| InvalidEncoding { reason };
    let name = value["name"].as_str().ok_or_else(|| bad("a column has no `name`".into()))?;
    let kind = match value["type"].as_str() {
        Some("numeric") => match &value["fill"] {
            Value::Null => ColumnKind::Numeric { fill: None },
            fill => ColumnKind::Numeric {
                fill: Some(fill.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                    bad(format!("the `fill` of column `{name}` is not a number"))
                })?),
            },
        },
        Some("categorical") => {
            let categories = strings(&value["categories"])
                .filter(|c| c.is_sorted_by(|a, b| a < b))
                .ok_or_else(|| {
                    bad(format!(
                        "the `categories` of column `{name}` are not distinct text in byte order"
                    ))
                })?;
            let missing = value["missing"]
                .as_bool()
                .ok_or_else(|| bad(format!("column `{name}` has no `missing` flag")))?;
            ColumnKind::Categorical { categories, missing }
        }
        _ => return Err(bad(format!("column `{name}`: `type` is not numeric or categorical"))),
    };
    Ok(InputColumn { name: name.to_owned(), kind })
}

/// A list of strings.
fn strings(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(|s| s.as_str().map(str::to_owned)).collect()
}

/// The value with every object's keys sorted, whatever order serde_json's map keeps.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect::<Map<_, _>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
