//! A bare-metal program that predicts with a 4-16-16-3 tanh/softmax network through
//! descent-infer and stores the class where a debugger can read it. No allocator, no std, no
//! runtime crate: `_start` is the entry point the linker looks for.

#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicUsize, Ordering};

use descent_infer::{Activation, Model, Output, Standardize, predict_class, scratch_len};

#[cfg(not(feature = "f64"))]
type F = f32;
#[cfg(feature = "f64")]
type F = f64;

const LAYERS: [usize; 4] = [4, 16, 16, 3];

/// Made-up weights: a fixed pattern in ±1 (a real program pastes a trained model's).
const fn pattern<const N: usize>(seed: u32) -> [F; N] {
    let mut out = [0.0; N];
    let mut state = seed;
    let mut i = 0;
    while i < N {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        out[i] = (state >> 8) as F / (1u32 << 23) as F - 1.0;
        i += 1;
    }
    out
}

const W1: [F; 64] = pattern(1);
const B1: [F; 16] = pattern(2);
const W2: [F; 256] = pattern(3);
const B2: [F; 16] = pattern(4);
const W3: [F; 48] = pattern(5);
const B3: [F; 3] = pattern(6);
const MEAN: [f64; 4] = [5.8, 3.0, 3.7, 1.2];
const STD: [f64; 4] = [0.8, 0.4, 1.8, 0.8];

const MODEL: Model<'static, F> = Model {
    layers: &LAYERS,
    weights: &[&W1, &W2, &W3],
    biases: &[&B1, &B2, &B3],
    activation: Activation::Tanh,
    output: Output::Softmax,
    standardize: if cfg!(feature = "standardize") {
        Some(Standardize { mean: &MEAN, std: &STD })
    } else {
        None
    },
};

/// Where the class goes.
static CLASS: AtomicUsize = AtomicUsize::new(0);

/// The entry point: one prediction, then wait forever.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let input: [F; 4] = black_box([6.1, 2.8, 4.7, 1.2]);
    let mut scratch = [0.0; scratch_len(&LAYERS)];
    let mut probabilities = [0.0; 3];
    let class =
        predict_class(&MODEL, &input, &mut scratch, &mut probabilities).unwrap_or(usize::MAX);
    CLASS.store(class, Ordering::Relaxed);
    loop {}
}

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}
