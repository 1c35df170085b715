//! Memory limits: the bytes a training run will allocate, computed with checked arithmetic
//! before anything is allocated, and refused beyond the machine's available memory or a limit.

use std::fmt;

use descent_core::{Error, Result};

/// The buffers a training run allocates, in bytes. Every field is exact for the buffers
/// descent-train allocates; allocator overhead and the front end's own buffers are not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryNeeds {
    /// The parameters `W1, b1, …`.
    pub params: u64,
    /// Their gradients.
    pub grads: u64,
    /// The optimizer's buffers (velocities, moments).
    pub optimizer: u64,
    /// The batch buffers and forward/backward caches of the full and the partial batch size.
    pub batches: u64,
    /// The buffers and caches of one chunk of [`EVAL_CHUNK`](crate::EVAL_CHUNK) examples (or
    /// all of them, when fewer) that scoring the network allocates: a validation set, a
    /// final evaluation.
    pub evaluation: u64,
    /// The data set in the training dtype, and the per-epoch order of its examples.
    pub data: u64,
}

impl MemoryNeeds {
    /// The buffers of training a network of widths `layers` on `n_examples` examples with
    /// `n_targets` target values each, in batches of `batch_size`, with scalars of
    /// `scalar_bytes` bytes (4 for f32, 8 for f64) and an optimizer that keeps
    /// `optimizer_slots` buffers per parameter (gd 0, momentum and RMSProp 1, Adam and
    /// AdamW 2).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"memory"`) when a size overflows 64 bits or `layers`
    /// has fewer than two widths.
    pub fn for_training(
        layers: &[usize],
        n_examples: usize,
        n_targets: usize,
        batch_size: usize,
        scalar_bytes: usize,
        optimizer_slots: usize,
    ) -> Result<Self> {
        let overflow = || Error::InvalidArgument {
            op: "memory",
            reason: format!(
                "the buffers of layers {layers:?}, {n_examples} examples and batches of \
                 {batch_size} overflow 64 bits"
            ),
        };
        if layers.len() < 2 {
            return Err(Error::InvalidArgument {
                op: "memory",
                reason: format!("a network needs at least two widths, got {layers:?}"),
            });
        }
        let u = |x: usize| x as u64;
        let mul = |a: u64, b: u64| a.checked_mul(b).ok_or_else(overflow);
        let add = |a: u64, b: u64| a.checked_add(b).ok_or_else(overflow);
        let size = u(scalar_bytes);
        let mut n_params = 0_u64;
        for w in layers.windows(2) {
            n_params = add(n_params, mul(u(w[1]), add(u(w[0]), 1)?)?)?;
        }
        let params = mul(n_params, size)?;
        // Per example of a batch: input and target columns, then z, a, dz for every layer,
        // da for the hidden ones and the output's softplus (the `Workspace`).
        let outputs: u64 = layers[1..].iter().try_fold(0_u64, |acc, &w| add(acc, u(w)))?;
        let n_out = u(layers[layers.len() - 1]);
        let hidden = outputs - n_out;
        let per_example = add(add(u(layers[0]), mul(2, n_out)?)?, add(mul(3, outputs)?, hidden)?)?;
        let full = u(batch_size.min(n_examples));
        let partial = if full == 0 { 0 } else { u(n_examples) % full };
        let batches = mul(mul(per_example, add(full, partial)?)?, size)?;
        let chunk = u(n_examples.min(crate::EVAL_CHUNK));
        let evaluation = mul(mul(per_example, chunk)?, size)?;
        let data_values = mul(u(n_examples), add(u(layers[0]), u(n_targets))?)?;
        let data = add(mul(data_values, size)?, mul(u(n_examples), u(size_of::<u32>()))?)?;
        Ok(Self {
            params,
            grads: params,
            optimizer: mul(params, u(optimizer_slots))?,
            batches,
            evaluation,
            data,
        })
    }

    /// The sum of all fields.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"memory"`) when the sum overflows 64 bits.
    pub fn total(&self) -> Result<u64> {
        [self.grads, self.optimizer, self.batches, self.evaluation, self.data]
            .into_iter()
            .try_fold(self.params, u64::checked_add)
            .ok_or_else(|| Error::InvalidArgument {
                op: "memory",
                reason: "the training buffers' total size overflows 64 bits".into(),
            })
    }

    /// Refuses the run when its buffers exceed `limit` bytes (a `--max-memory`), or else the
    /// memory the operating system reports available ([`available_memory`]), before anything
    /// is allocated.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"memory"`) whose message gives the size needed, its
    /// parts and the limit.
    pub fn check(&self, limit: Option<u64>) -> Result<()> {
        let total = self.total()?;
        let (limit, source) = match limit {
            Some(l) => (l, "the memory limit"),
            None => match available_memory() {
                Some(a) => (a, "the available memory"),
                None => return Ok(()),
            },
        };
        if total > limit {
            return Err(Error::InvalidArgument {
                op: "memory",
                reason: format!(
                    "training would need {} ({self}) but {source} is {}",
                    Bytes(total),
                    Bytes(limit)
                ),
            });
        }
        Ok(())
    }
}

impl fmt::Display for MemoryNeeds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "parameters {}, gradients {}, optimizer state {}, batches {}, evaluation {}, data {}",
            Bytes(self.params),
            Bytes(self.grads),
            Bytes(self.optimizer),
            Bytes(self.batches),
            Bytes(self.evaluation),
            Bytes(self.data)
        )
    }
}

/// A byte count printed with a binary unit: `512 B`, `1.5 KiB`, `12.0 GiB`, with the exact
/// count in bytes after units above bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        if self.0 < 1024 {
            return write!(f, "{} B", self.0);
        }
        let mut value = self.0 as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
        }
        write!(f, "{value:.1} {} ({} bytes)", UNITS[unit], self.0)
    }
}

/// Parses a memory size as a command line gives it: a number of bytes with an optional
/// binary unit `K`, `M`, `G` or `T` (also `KiB`, `MB`, …; all powers of 1024), e.g. `512M`.
///
/// # Errors
/// [`Error::InvalidArgument`] (op `"memory"`) for anything else, zero, or an overflow.
pub fn parse_size(text: &str) -> Result<u64> {
    let invalid = || Error::InvalidArgument {
        op: "memory",
        reason: format!("`{text}` is not a memory size such as 512M, 8G or 1000000 (bytes)"),
    };
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.parse().map_err(|_| invalid())?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(invalid()),
    };
    let bytes = n.checked_mul(1 << shift).ok_or_else(invalid)?;
    if bytes == 0 {
        return Err(invalid());
    }
    Ok(bytes)
}

/// The memory the operating system reports available to a new allocation, in bytes:
/// `MemAvailable` of `/proc/meminfo` on Linux; `None` elsewhere or when it cannot be read.
#[must_use]
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_network_by_hand() {
        // 2-5-2-1: 2·5+5 + 5·2+2 + 2·1+1 = 30 parameters; f64: 240 bytes.
        // Per example: x 2 + y 1 + 3·(5+2+1) z/a/dz + (5+2) da + 1 softplus = 35 values;
        // 300 examples in batches of 64: 64 + 44 columns → 35·108·8 = 30 240 bytes.
        // Scoring: one chunk of all 300 examples, 35·300·8 = 84 000 bytes.
        // Data: 300·(2+1)·8 = 7200 bytes + 300 u32 indices·4 = 1200.
        let needs = MemoryNeeds::for_training(&[2, 5, 2, 1], 300, 1, 64, 8, 2).unwrap();
        let (params, grads, optimizer, batches, evaluation, data) =
            (240, 240, 480, 30_240, 84_000, 8_400);
        assert_eq!(needs, MemoryNeeds { params, grads, optimizer, batches, evaluation, data });
        assert_eq!(needs.total().unwrap(), 240 + 240 + 480 + 30_240 + 84_000 + 8_400);
    }

    #[test]
    fn huge_networks_are_refused_with_their_size_and_overflow_is_an_error() {
        let needs =
            MemoryNeeds::for_training(&[784, 100_000, 100_000, 10], 60_000, 1, 256, 4, 2).unwrap();
        let err = needs.check(Some(8 << 30)).unwrap_err().to_string();
        // 151.4 GiB of training buffers and 12.2 GiB for scoring a chunk of 4096 examples.
        assert!(err.contains("training would need 163.6 GiB (175710678688 bytes)"), "{err}");
        assert!(err.contains("the memory limit is 8.0 GiB (8589934592 bytes)"), "{err}");
        assert!(
            MemoryNeeds::for_training(&[2, 5, 1], 300, 1, 64, 8, 2)
                .unwrap()
                .check(Some(1 << 20))
                .is_ok()
        );
        let err =
            MemoryNeeds::for_training(&[usize::MAX, usize::MAX, 1], 1, 1, 1, 8, 2).unwrap_err();
        assert!(err.to_string().contains("overflow"), "{err}");
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("8G").unwrap(), 8 << 30);
        assert_eq!(parse_size("2 GiB").unwrap(), 2 << 30);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        for bad in ["", "0", "G", "1.5G", "-3", "8X", "99999999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        assert_eq!(Bytes(1536).to_string(), "1.5 KiB (1536 bytes)");
        assert_eq!(Bytes(12).to_string(), "12 B");
    }

    #[test]
    fn meminfo_is_read_in_kib() {
        let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(parse_meminfo(text), Some(20_000_000 * 1024));
        assert_eq!(parse_meminfo("MemTotal: 5 kB\n"), None);
    }
}
