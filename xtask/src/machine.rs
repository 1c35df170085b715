//! What a bench run was measured on: CPU, compiler, build flags, library versions, load.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

/// What a report was measured on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Machine {
    pub cpu: String,
    pub n_cpus: usize,
    pub avx512: bool,
    pub load_before: Option<String>,
    pub load_after: Option<String>,
    pub rustc: String,
    pub date: String,
    pub quick: bool,
    pub target_cpu: Option<String>,
    /// `(crate, version)` of the libraries behind the backends, from `Cargo.lock`.
    pub versions: Vec<(String, String)>,
}

impl Machine {
    /// Reads `/proc/cpuinfo`, `rustc --version`, the clock, `.cargo/config.toml` and `Cargo.lock`.
    pub(crate) fn probe(
        root: &Path,
        quick: bool,
        load_before: Option<String>,
        load_after: Option<String>,
    ) -> Self {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let field = |name: &str| {
            cpuinfo.lines().find_map(|l| {
                let (key, value) = l.split_once(':')?;
                (key.trim() == name).then(|| value.trim().to_owned())
            })
        };
        let rustc = Command::new("rustc")
            .arg("--version")
            .current_dir(root)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map_or_else(|| "unknown".to_owned(), |s| s.trim().to_owned());
        let config = fs::read_to_string(root.join(".cargo/config.toml")).unwrap_or_default();
        let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
        Self {
            cpu: field("model name").unwrap_or_else(|| "unknown CPU".to_owned()),
            n_cpus: std::thread::available_parallelism().map_or(1, usize::from),
            avx512: field("flags").is_some_and(|f| f.split_whitespace().any(|x| x == "avx512f")),
            load_before,
            load_after,
            rustc,
            date: today(),
            quick,
            target_cpu: target_cpu(&config),
            versions: ["ndarray", "matrixmultiply", "nalgebra", "faer", "criterion"]
                .iter()
                .filter_map(|name| Some((name.to_string(), lock_version(&lock, name)?)))
                .collect(),
        }
    }
}

/// The 1-minute load average from `/proc/loadavg`.
pub(crate) fn load_average() -> Option<String> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

/// The value of the first `target-cpu=...` in the cargo configuration.
fn target_cpu(config: &str) -> Option<String> {
    let start = config.lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|l| {
        let i = l.find("target-cpu=")?;
        Some(l[i + "target-cpu=".len()..].to_owned())
    })?;
    let value: String =
        start.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    (!value.is_empty()).then_some(value)
}

/// The version of the first package called `name` in a `Cargo.lock`.
fn lock_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the civil calendar of the Unix day count.
fn today() -> String {
    let secs = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_versions_and_the_target_cpu_are_read() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_454), "2026-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        let lock = "[[package]]\nname = \"faer\"\nversion = \"0.24.4\"\n";
        assert_eq!(lock_version(lock, "faer").as_deref(), Some("0.24.4"));
        assert_eq!(lock_version(lock, "ndarray"), None);
        let config = "# target-cpu=native\nrustflags = [\"-C\", \"target-cpu=x86-64-v3\"]\n";
        assert_eq!(target_cpu(config).as_deref(), Some("x86-64-v3"));
    }
}
