//! Tests of the `.npy` readers: every dtype, both orders, and each way a file can be wrong.

use super::*;
use crate::test_util::TempFile;

/// A version 1.0 `.npy` file as `np.save` writes it: the dictionary padded with spaces so the
/// data starts at a multiple of 64 bytes.
pub(crate) fn npy_bytes(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    npy_bytes_order(descr, false, shape, data)
}

pub(crate) fn npy_bytes_order(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
    let order = if fortran { "True" } else { "False" };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
    let total = (10 + dict.len() + 1).next_multiple_of(64);
    let header = format!("{dict:<width$}\n", width = total - 10 - 1);
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn le<const N: usize, T: Copy>(v: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    v.iter().flat_map(|&x| f(x)).collect()
}

fn features(bytes: &[u8]) -> Result<(usize, usize, Vec<f64>)> {
    let file = TempFile::with_bytes("npy", bytes);
    load_npy_features(file.path())
}

fn labels(bytes: &[u8]) -> Result<Vec<f64>> {
    let file = TempFile::with_bytes("npy", bytes);
    load_npy_labels(file.path())
}

fn npy_reason(err: &IoError) -> &str {
    match err {
        IoError::Npy { reason, .. } => reason,
        other => panic!("expected IoError::Npy, got {other}"),
    }
}

#[test]
fn reads_float64_and_float32_features_in_c_order() {
    let data = [1.5, -2.0, 3.25, 4.0, 5.0, 6.0];
    let f64_file = npy_bytes("<f8", "(3, 2)", &le(&data, f64::to_le_bytes));
    assert_eq!(features(&f64_file).unwrap(), (3, 2, data.to_vec()));
    let data32 = data.map(|x| x as f32);
    let f32_file = npy_bytes("<f4", "(2, 3)", &le(&data32, f32::to_le_bytes));
    assert_eq!(features(&f32_file).unwrap(), (2, 3, data.to_vec()));
    let big = npy_bytes(">f8", "(3, 2)", &le(&data, f64::to_be_bytes));
    assert_eq!(features(&big).unwrap(), (3, 2, data.to_vec()));
}

#[test]
fn fortran_order_features_are_transposed() {
    // The (3, 2) array [[1, 2], [3, 4], [5, 6]] stored column by column.
    let stored = [1.0, 3.0, 5.0, 2.0, 4.0, 6.0];
    let file = npy_bytes_order("<f8", true, "(3, 2)", &le(&stored, f64::to_le_bytes));
    assert_eq!(features(&file).unwrap(), (3, 2, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
}

#[test]
fn reads_labels_of_every_numeric_dtype() {
    let want = vec![0.0, 1.0, 1.0];
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("|b1", vec![0, 1, 1]),
        ("|i1", vec![0, 1, 1]),
        ("|u1", vec![0, 1, 1]),
        ("<i2", le(&[0_i16, 1, 1], i16::to_le_bytes)),
        ("<u2", le(&[0_u16, 1, 1], u16::to_le_bytes)),
        ("<i4", le(&[0_i32, 1, 1], i32::to_le_bytes)),
        ("<u4", le(&[0_u32, 1, 1], u32::to_le_bytes)),
        ("<i8", le(&[0_i64, 1, 1], i64::to_le_bytes)),
        (">i8", le(&[0_i64, 1, 1], i64::to_be_bytes)),
        ("<u8", le(&[0_u64, 1, 1], u64::to_le_bytes)),
        ("<f4", le(&[0.0_f32, 1.0, 1.0], f32::to_le_bytes)),
        ("<f8", le(&[0.0_f64, 1.0, 1.0], f64::to_le_bytes)),
    ];
    for (descr, data) in cases {
        assert_eq!(labels(&npy_bytes(descr, "(3,)", &data)).unwrap(), want, "{descr}");
        assert_eq!(labels(&npy_bytes(descr, "(3, 1)", &data)).unwrap(), want, "{descr}");
    }
    let negative = npy_bytes("<i4", "(2,)", &le(&[-3_i32, 7], i32::to_le_bytes));
    assert_eq!(labels(&negative).unwrap(), [-3.0, 7.0]);
}

#[test]
fn missing_file_is_an_io_error() {
    let path = std::env::temp_dir().join("descent-io-no-such-file.npy");
    assert!(matches!(load_npy_features(&path), Err(IoError::Io { .. })));
    assert!(matches!(load_npy_labels(&path), Err(IoError::Io { .. })));
}

#[test]
fn empty_file_and_empty_arrays_are_empty() {
    assert!(matches!(features(b""), Err(IoError::Empty { .. })));
    assert!(matches!(labels(b""), Err(IoError::Empty { .. })));
    assert!(matches!(features(&npy_bytes("<f8", "(0, 2)", &[])), Err(IoError::Empty { .. })));
    assert!(matches!(labels(&npy_bytes("<f8", "(0,)", &[])), Err(IoError::Empty { .. })));
    let err = features(&npy_bytes("<f8", "(3, 0)", &[])).unwrap_err();
    assert!(npy_reason(&err).contains("no features"), "{err}");
}

#[test]
fn wrong_dtypes_are_rejected_with_their_name() {
    let ints = npy_bytes("<i8", "(1, 2)", &le(&[1_i64, 2], i64::to_le_bytes));
    let err = features(&ints).unwrap_err();
    assert!(npy_reason(&err).contains("float32 or float64, the file holds int64"), "{err}");
    for (descr, data) in
        [("<f2", vec![0_u8; 4]), ("<c16", vec![0; 32]), ("<U1", vec![0; 8]), ("|O", vec![0; 16])]
    {
        let err = labels(&npy_bytes(descr, "(2,)", &data)).unwrap_err();
        assert!(npy_reason(&err).contains(&format!("unsupported dtype '{descr}'")), "{err}");
    }
    let mut record = npy_bytes("<f8", "(1,)", &[0; 16]);
    let dict = "{'descr': [('a', '<f8'), ('b', '<f8')], 'fortran_order': False, 'shape': (1,), }";
    record = [&record[..10], format!("{dict:<117}\n").as_bytes(), &[0; 16]].concat();
    record[8..10].copy_from_slice(&118_u16.to_le_bytes());
    let err = labels(&record).unwrap_err();
    assert!(npy_reason(&err).contains("unsupported dtype"), "{err}");
}

#[test]
fn wrong_shapes_are_rejected() {
    let one_d = npy_bytes("<f8", "(3,)", &[0; 24]);
    assert!(npy_reason(&features(&one_d).unwrap_err()).contains("shape is (3,)"));
    let three_d = npy_bytes("<f8", "(1, 1, 1)", &[0; 8]);
    assert!(npy_reason(&features(&three_d).unwrap_err()).contains("shape is (1, 1, 1)"));
    let wide = npy_bytes("<f8", "(2, 2)", &[0; 32]);
    assert!(npy_reason(&labels(&wide).unwrap_err()).contains("shape is (2, 2)"));
    let scalar = npy_bytes("<f8", "()", &[0; 8]);
    assert!(npy_reason(&labels(&scalar).unwrap_err()).contains("shape is ()"));
}

#[test]
fn truncated_and_overlong_data_are_errors() {
    let full = npy_bytes("<f8", "(3, 2)", &[0; 48]);
    let err = features(&full[..full.len() - 1]).unwrap_err();
    assert!(
        npy_reason(&err).contains("truncated: shape (3, 2) of float64 needs 48 bytes"),
        "{err}"
    );
    let err = features(&[&full[..], &[0]].concat()).unwrap_err();
    assert!(npy_reason(&err).contains("too long"), "{err}");
    // Cut inside the header, and inside the 10-byte preamble.
    for cut in [9, 30] {
        let err = features(&full[..cut]).unwrap_err();
        assert!(npy_reason(&err).contains("truncated"), "{cut}: {err}");
    }
}

#[test]
fn huge_declared_sizes_are_caught_before_allocating() {
    let huge = npy_bytes("<f8", "(10000000000000, 10000000)", &[0; 8]);
    let err = features(&huge).unwrap_err();
    assert!(npy_reason(&err).contains("too large"), "{err}");
    let big = npy_bytes("<f8", "(1000000000000, 2)", &[0; 8]);
    assert!(npy_reason(&features(&big).unwrap_err()).contains("truncated"));
    // A version 2.0 header claiming 4 GB of header.
    let mut v2 = b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}".to_vec();
    v2.extend_from_slice(&[b' '; 50]);
    assert!(npy_reason(&features(&v2).unwrap_err()).contains("truncated"));
}

#[test]
fn other_files_are_not_npy() {
    let err = features(b"a,b,y\n1,2,0\n").unwrap_err();
    assert!(npy_reason(&err).contains("not a .npy file"), "{err}");
    let mut bad_version = npy_bytes("<f8", "(1, 1)", &[0; 8]);
    bad_version[6] = 9;
    assert!(npy_reason(&features(&bad_version).unwrap_err()).contains("version 9"));
    let garbage = npy_bytes("<f8", "(1, 1)", &[0; 8]);
    let garbage = [&garbage[..8], &54_u16.to_le_bytes(), &[b'{'; 53], b"\n", &[0; 8]].concat();
    let err = features(&garbage).unwrap_err();
    assert!(npy_reason(&err).contains("invalid .npy header"), "{err}");
    let unclosed =
        [&garbage[..8], &54_u16.to_le_bytes(), b"{'descr': '<f8'", &[b' '; 38], b"\n"].concat();
    let err = features(&unclosed).unwrap_err();
    assert!(npy_reason(&err).contains("invalid .npy header"), "{err}");
}

#[test]
fn deeply_nested_headers_are_refused_quickly() {
    // The header parser backtracks: 15 nested braces took over a minute before this check.
    for open in ["{", "[", "(", "{'a': ["] {
        let dict = open.repeat(40);
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&u16::try_from(dict.len() + 1).unwrap().to_le_bytes());
        bytes.extend_from_slice(dict.as_bytes());
        bytes.push(b'\n');
        let err = features(&bytes).unwrap_err();
        assert!(npy_reason(&err).contains("nested"), "{err}");
    }
    // Brackets inside quoted strings do not count.
    let quoted = npy_bytes("<f8", "(1, 1)", &[0; 8]);
    let text = String::from_utf8_lossy(&quoted[10..quoted.len() - 8]).replace("'descr'", "'{{{{'");
    assert_eq!(nesting_depth(text.as_bytes()), 2);
}

#[test]
fn non_finite_values_name_their_place() {
    let data = [1.0, 2.0, 3.0, f64::NAN];
    let err = features(&npy_bytes("<f8", "(2, 2)", &le(&data, f64::to_le_bytes))).unwrap_err();
    assert!(matches!(err, IoError::NotFinite { .. }), "{err}");
    assert!(err.to_string().contains("feature 1 of example 1 is NaN"), "{err}");
    let data = [0.0_f32, f32::INFINITY];
    let err = labels(&npy_bytes("<f4", "(2,)", &le(&data, f32::to_le_bytes))).unwrap_err();
    assert!(err.to_string().contains("the label of example 1 is inf"), "{err}");
}

#[test]
fn invalid_bool_bytes_are_an_error() {
    let err = labels(&npy_bytes("|b1", "(2,)", &[0, 2])).unwrap_err();
    assert!(npy_reason(&err).contains("invalid data"), "{err}");
}

#[test]
fn mangled_files_never_panic() {
    // Deterministic xorshift over every byte position of a valid file: flip bytes, cut it,
    // and check that reading returns (an error or a value) without panicking.
    let valid = npy_bytes("<f4", "(2, 3)", &le(&[1.0_f32; 6], f32::to_le_bytes));
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let mut bytes = valid.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() % bytes.len() as u64) as usize;
            bytes[i] = next() as u8;
        }
        let cut = (next() % (bytes.len() as u64 + 1)) as usize;
        let _ = features(&bytes[..cut]);
        let _ = labels(&bytes);
    }
}
