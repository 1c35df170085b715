//! The flags' value types (clap `ValueEnum`s) and their conversions to the libraries' types.

use clap::ValueEnum;
use descent::train::{Activation, Output};
use descent_io::Dtype;

/// A switch given as `on` or `off` (`--prefetch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// `--impute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImputeArg {
    /// Refuse missing numeric cells.
    None,
    /// The training rows' mean.
    Mean,
    /// The training rows' median.
    Median,
    /// The training rows' most frequent value (the smallest, on a tie).
    MostFrequent,
}

/// `--unknown`: a category of a column that the training rows did not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnknownArg {
    /// Refuse it, naming the column, the value and the line.
    Error,
    /// Encode it as none of the known categories (all of the column's inputs 0).
    Ignore,
}

/// `--activation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HiddenArg {
    /// max(z, 0).
    Relu,
    /// tanh(z).
    Tanh,
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    /// One sigmoid unit, binary cross-entropy.
    Sigmoid,
    /// K softmax units, categorical cross-entropy.
    Softmax,
    /// Linear units, mean squared error.
    Linear,
}

/// `--optimizer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// Gradient descent: W -= lr·dW.
    Gd,
    /// Momentum: v = β·v + (1-β)·g; W -= lr·v.
    Momentum,
    /// Adam with bias correction.
    Adam,
    /// RMSProp: s = β·s + (1-β)·g²; W -= lr·g/(√s + ε).
    Rmsprop,
    /// Adam with decoupled weight decay.
    Adamw,
}

/// `--decay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecayArg {
    /// Constant learning rate.
    None,
    /// lr0 / (1 + rate·e).
    InverseTime,
    /// lr0 / (1 + rate·⌊e/interval⌋), the course's schedule_lr_decay.
    Scheduled,
    /// lr0 · exp(−rate·e/interval).
    Exponential,
    /// lr0 / (1 + rate)^⌊e/interval⌋.
    Step,
    /// lr0 · ½(1 + cos(π·e/epochs)).
    Cosine,
    /// lr0, multiplied by --plateau-factor whenever --monitor stops improving (PyTorch's
    /// ReduceLROnPlateau).
    Plateau,
}

/// `--dtype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DtypeArg {
    /// 32-bit floats.
    F32,
    /// 64-bit floats.
    F64,
}

/// `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// ndarray with matrixmultiply.
    Ndarray,
    /// nalgebra.
    Nalgebra,
    /// faer.
    Faer,
}

impl From<HiddenArg> for Activation {
    fn from(arg: HiddenArg) -> Self {
        match arg {
            HiddenArg::Relu => Activation::Relu,
            HiddenArg::Tanh => Activation::Tanh,
        }
    }
}

impl From<OutputArg> for Output {
    fn from(arg: OutputArg) -> Self {
        match arg {
            OutputArg::Sigmoid => Output::Sigmoid,
            OutputArg::Softmax => Output::Softmax,
            OutputArg::Linear => Output::Linear,
        }
    }
}

impl From<DtypeArg> for Dtype {
    fn from(arg: DtypeArg) -> Self {
        match arg {
            DtypeArg::F32 => Dtype::F32,
            DtypeArg::F64 => Dtype::F64,
        }
    }
}

impl From<Dtype> for DtypeArg {
    /// The scalar type of a model file's tensors, to compute with.
    fn from(dtype: Dtype) -> Self {
        match dtype {
            Dtype::F32 => DtypeArg::F32,
            Dtype::F64 => DtypeArg::F64,
        }
    }
}

impl DtypeArg {
    /// The size of one scalar in bytes.
    pub fn bytes(self) -> usize {
        match self {
            DtypeArg::F32 => 4,
            DtypeArg::F64 => 8,
        }
    }
}

impl From<OnOff> for bool {
    fn from(arg: OnOff) -> Self {
        arg == OnOff::On
    }
}

/// `--plot-scale`: the y axis of the cost and learning-rate panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum PlotScaleArg {
    /// Logarithmic (points at or below zero are left out).
    #[default]
    Log,
    /// Linear, from zero.
    Linear,
}
