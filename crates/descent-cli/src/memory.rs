//! The memory a training run needs, checked against the memory available before anything
//! is allocated, so a too-large network gets a message rather than the allocator's abort.

use anyhow::anyhow;

/// Used when `/proc/meminfo` cannot be read: 64 GiB.
const FALLBACK_AVAILABLE: u64 = 64 << 30;

/// What a run allocates, in scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// Weights and biases.
    pub params: u128,
    /// Gradients and optimizer state (`slots` arrays the size of the parameters).
    pub state: u128,
    /// Batch buffers and caches (full and partial batch, and evaluation chunks).
    pub workspace: u128,
}

impl Need {
    /// The scalars of a network with `layers` trained in batches of `batch` (of `m` examples)
    /// with an optimizer that keeps `slots` arrays per parameter.
    pub fn of(layers: &[usize], batch: usize, m: usize, slots: usize) -> Self {
        // Saturating arithmetic: a sum that overflows u128 is refused all the same.
        let widths = |ls: &[usize]| ls.iter().fold(0_u128, |acc, &n| acc.saturating_add(n as u128));
        let params = layers.windows(2).fold(0_u128, |acc, w| {
            acc.saturating_add((w[0] as u128).saturating_mul(w[1] as u128))
                .saturating_add(w[1] as u128)
        });
        // Per example of a batch: the input, the encoded target and z, a, dz, da of each layer.
        let per_example = widths(layers).saturating_add(widths(&layers[1..]).saturating_mul(4));
        let batch = batch.min(m) as u128;
        let eval = m.min(descent::train::EVAL_CHUNK) as u128;
        Self {
            params,
            state: params.saturating_mul(1 + slots as u128),
            workspace: per_example.saturating_mul(2 * batch + eval),
        }
    }

    /// Bytes for scalars of `scalar_bytes` bytes.
    pub fn bytes(&self, scalar_bytes: usize) -> u128 {
        self.params
            .saturating_add(self.state)
            .saturating_add(self.workspace)
            .saturating_mul(scalar_bytes as u128)
    }
}

/// Refuses a run that needs more than the available memory; `what` names the flags at fault.
pub fn check(need: Need, scalar_bytes: usize, what: &str) -> anyhow::Result<()> {
    let total = need.bytes(scalar_bytes);
    let available = available_bytes();
    if total > u128::from(available) {
        return Err(anyhow!(
            "{what}: the network needs {} ({} parameters, {} for gradients and optimizer state, \
             {} for batch buffers), more than the {} of memory available",
            human(total),
            human(need.params.saturating_mul(scalar_bytes as u128)),
            human(need.state.saturating_mul(scalar_bytes as u128)),
            human(need.workspace.saturating_mul(scalar_bytes as u128)),
            human(u128::from(available)),
        ));
    }
    Ok(())
}

/// `MemAvailable` of `/proc/meminfo`, or 64 GiB when it cannot be read.
pub fn available_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| parse_mem_available(&text))
        .unwrap_or(FALLBACK_AVAILABLE)
}

fn parse_mem_available(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Bytes in binary units: `1.5 GiB`.
pub fn human(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_network_needs_what_hand_counting_gives() {
        // Layers 2-5-2-1, Adam (2 slots), batch 64 of 300: 2·5+5 + 5·2+2 + 2·1+1 = 30
        // parameters, 3·30 for gradients and two moments; per example
        // 2+5+2+1 = 10 plus 4·(5+2+1) = 32, so 42 scalars, times 2·64 + 300.
        let need = Need::of(&[2, 5, 2, 1], 64, 300, 2);
        assert_eq!(need, Need { params: 30, state: 90, workspace: 42 * 428 });
        assert_eq!(need.bytes(4), 4 * (30 + 90 + 42 * 428));
    }

    #[test]
    fn huge_layers_do_not_overflow_and_are_refused() {
        let need = Need::of(&[2, usize::MAX, usize::MAX, 1], 64, 300, 2);
        assert!(need.bytes(8) > u128::from(u64::MAX));
        let err = check(need, 8, "--layers").unwrap_err().to_string();
        assert!(err.starts_with("--layers: the network needs"), "{err}");
        assert!(check(Need::of(&[2, 5, 2, 1], 64, 300, 2), 8, "--layers").is_ok());
    }

    #[test]
    fn meminfo_and_units() {
        let text = "MemTotal:  8000 kB\nMemAvailable:    2048 kB\n";
        assert_eq!(parse_mem_available(text), Some(2 << 20));
        assert_eq!(human(512), "512 B");
        assert_eq!(human(3 << 29), "1.5 GiB");
    }
}
