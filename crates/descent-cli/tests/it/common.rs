//! Helpers: running the binary, a temporary folder, small data files written by hand, and an
//! independent reader of safetensors files (the header parsed as JSON, the bytes decoded here).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `descent` with `args` in the current folder.
pub fn descent(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_descent")).args(args).output().expect("the binary runs")
}

/// Runs `descent` and asserts success, returning stdout.
pub fn ok(args: &[&str]) -> String {
    let out = descent(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Runs `descent`, asserts exit status `code` and one error message naming every `needles`
/// entry, without a panic; returns the message.
pub fn fails(code: i32, args: &[&str], needles: &[&str]) -> String {
    let out = descent(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{args:?}: {needle:?} not in {stderr}");
    }
    stderr
}

/// Like [`fails`] for the binary's own errors, which are exactly one line.
pub fn fails_once(code: i32, args: &[&str], needles: &[&str]) -> String {
    let stderr = fails(code, args, needles);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one message expected: {stderr}");
    assert!(stderr.starts_with("descent: error: "), "{stderr}");
    stderr
}

/// A folder removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("descent-cli-it-{}-{name}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }

    /// Writes `contents` to `file` and returns its path as a string.
    pub fn write(&self, file: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path(file);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }

    /// The path of `file` (not created) as a string.
    pub fn file(&self, file: &str) -> String {
        self.path(file).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A deterministic generator (SplitMix64) for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform in [-1, 1).
    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1_u64 << 52) as f64 - 1.0
    }
}

/// Two features and a 0/1 label: class 1 above the line x2 = 0.5·x1 (separable with a margin),
/// with the second feature on a scale of 100 so standardization matters.
pub fn binary_rows(n: usize, seed: u64) -> Vec<([f64; 2], usize)> {
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    while rows.len() < n {
        let (a, b) = (rng.next(), rng.next());
        if (b - 0.5 * a).abs() < 0.1 {
            continue;
        }
        rows.push(([a, 100.0 * b], usize::from(b > 0.5 * a)));
    }
    rows
}

/// `binary_rows` as CSV text with header `x1,x2,label`.
pub fn binary_csv(n: usize, seed: u64) -> String {
    let mut text = String::from("x1,x2,label\n");
    for ([a, b], y) in binary_rows(n, seed) {
        text.push_str(&format!("{a},{b},{y}\n"));
    }
    text
}

/// Three classes by the sign pattern of two features, header `a,b,class`.
pub fn three_class_csv(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut text = String::from("a,b,class\n");
    for _ in 0..n {
        let (a, b) = (rng.next(), rng.next());
        let class = if a < -0.3 {
            0
        } else if b < 0.0 {
            1
        } else {
            2
        };
        text.push_str(&format!("{a},{b},{class}\n"));
    }
    text
}

/// A `.npy` file (format 1.0) of `descr` with `shape`, holding `data` (little-endian bytes).
pub fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

/// A tensor read by [`read_safetensors`].
#[derive(Debug, Clone)]
pub struct Tensor {
    pub dtype: String,
    pub shape: Vec<usize>,
    pub values: Vec<f64>,
}

/// Reads a safetensors file without the library: 8 bytes of header length, a JSON header of
/// `name: {dtype, shape, data_offsets}` and `__metadata__`, then the little-endian data.
pub fn read_safetensors(path: &Path) -> (BTreeMap<String, Tensor>, BTreeMap<String, String>) {
    let bytes = std::fs::read(path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let data = &bytes[8 + n..];
    let mut tensors = BTreeMap::new();
    let mut meta = BTreeMap::new();
    for (name, v) in header.as_object().unwrap() {
        if name == "__metadata__" {
            for (k, s) in v.as_object().unwrap() {
                meta.insert(k.clone(), s.as_str().unwrap().to_owned());
            }
            continue;
        }
        let dtype = v["dtype"].as_str().unwrap().to_owned();
        let shape: Vec<usize> =
            v["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
        let off: Vec<usize> = v["data_offsets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let raw = &data[off[0]..off[1]];
        let values = match dtype.as_str() {
            "F32" => raw
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap())))
                .collect(),
            "F64" => {
                raw.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect()
            }
            other => panic!("unexpected dtype {other}"),
        };
        tensors.insert(name.clone(), Tensor { dtype, shape, values });
    }
    (tensors, meta)
}

/// Writes a safetensors file by hand: `tensors` of (name, shape, values) as F32 or F64, with
/// `metadata`.
pub fn write_safetensors(
    path: &Path,
    f64s: bool,
    tensors: &[(&str, Vec<usize>, Vec<f64>)],
    metadata: &[(&str, &str)],
) {
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for (name, shape, values) in tensors {
        let start = data.len();
        for &v in values {
            if f64s {
                data.extend_from_slice(&v.to_le_bytes());
            } else {
                data.extend_from_slice(&(v as f32).to_le_bytes());
            }
        }
        header.insert(
            (*name).to_owned(),
            serde_json::json!({
                "dtype": if f64s { "F64" } else { "F32" },
                "shape": shape,
                "data_offsets": [start, data.len()],
            }),
        );
    }
    if !metadata.is_empty() {
        let meta: serde_json::Map<String, serde_json::Value> =
            metadata.iter().map(|(k, v)| ((*k).to_owned(), serde_json::json!(v))).collect();
        header.insert("__metadata__".into(), serde_json::Value::Object(meta));
    }
    let mut text = serde_json::Value::Object(header).to_string();
    while !text.len().is_multiple_of(8) {
        text.push(' ');
    }
    let mut bytes = (text.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(&data);
    std::fs::write(path, bytes).unwrap();
}

/// Parses the one-line JSON `descent eval --json` prints last.
pub fn last_json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout.trim_end().lines().last().expect("a line")).expect("JSON")
}

/// Runs `descent args…`, sends it Ctrl-C (SIGINT, with the system's `kill`) after `ms`
/// milliseconds and returns its exit code, stdout and stderr.
pub fn interrupted_after(ms: u64, args: &[&str]) -> (Option<i32>, String, String) {
    use std::process::Stdio;
    let child = Command::new(env!("CARGO_BIN_EXE_descent"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    std::thread::sleep(std::time::Duration::from_millis(ms));
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}
