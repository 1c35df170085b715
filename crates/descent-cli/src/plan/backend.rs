//! The backend of a run that names none: chosen from the network's size, since the libraries
//! differ most at the two ends. nalgebra's GEMM has the least overhead per call, so it wins
//! on small networks (the course's 2-5-2-1 at batch 64: 3.9 µs a step against faer's 5.4;
//! a 33-5-2-1 table 1.8× faster as a whole process); faer wins once the products are large
//! enough for its blocking (`deep-narrow`, 32-64-64-64-64-1 at batch 32: 55 µs against 59;
//! `wide` f64 by 15%), and it is the one that scales with `--threads`.

use crate::args::BackendArg;

/// Multiply-adds per forward pass of a batch (batch × Σ inputs·outputs) from which faer is
/// chosen: between a 33-64-1 table at batch 64 (136 K, nalgebra faster) and 33-128-1
/// (279 K, faer faster), measured whole-process on a 2-core Intel Xeon.
pub const FAER_FROM_MACS: usize = 200_000;

/// The backend for `layers` trained at `batch` examples a step, when `--backend` is not
/// given.
pub fn choose(layers: &[usize], batch: usize) -> BackendArg {
    let per_example: usize = layers.windows(2).map(|w| w[0] * w[1]).sum();
    if per_example.saturating_mul(batch) >= FAER_FROM_MACS {
        BackendArg::Faer
    } else {
        BackendArg::Nalgebra
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_networks_take_nalgebra_and_large_ones_faer() {
        assert_eq!(choose(&[2, 5, 2, 1], 64), BackendArg::Nalgebra);
        assert_eq!(choose(&[33, 5, 2, 1], 64), BackendArg::Nalgebra);
        assert_eq!(choose(&[33, 64, 1], 64), BackendArg::Nalgebra);
        assert_eq!(choose(&[33, 128, 1], 64), BackendArg::Faer);
        assert_eq!(choose(&[32, 64, 64, 64, 64, 1], 32), BackendArg::Faer);
        assert_eq!(choose(&[784, 1024, 1024, 1], 256), BackendArg::Faer);
    }
}
