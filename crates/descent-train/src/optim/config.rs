//! `OptimizerConfig`: any optimizer's settings, chosen by name, for front ends.

use descent_core::{Backend, Error, Optimizer, Result, Scalar};

use super::{
    Adam, AdamConfig, AdamW, AdamWConfig, GradientDescent, Momentum, MomentumConfig, RmsProp,
    RmsPropConfig,
};

/// One optimizer and its settings; [`build`](OptimizerConfig::build) makes it for any
/// backend and dtype.
///
/// # Example
/// ```
/// use descent_ndarray::Ndarray;
/// use descent_train::optim::OptimizerConfig;
///
/// let config = OptimizerConfig::from_name("adam").unwrap();
/// let adam = config.build::<f32, Ndarray>().unwrap();
/// assert_eq!(adam.name(), "adam");
/// assert!(OptimizerConfig::from_name("sgd").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerConfig {
    /// Gradient descent, [`GradientDescent`] (`"gd"`).
    Gd,
    /// Momentum, [`Momentum`] (`"momentum"`).
    Momentum(MomentumConfig),
    /// Adam, [`Adam`] (`"adam"`).
    Adam(AdamConfig),
    /// RMSProp, [`RmsProp`] (`"rmsprop"`).
    RmsProp(RmsPropConfig),
    /// AdamW, [`AdamW`] (`"adamw"`).
    AdamW(AdamWConfig),
}

impl OptimizerConfig {
    /// The names as the command line spells them, in the order of
    /// [`all_defaults`](OptimizerConfig::all_defaults).
    pub const NAMES: [&'static str; 5] = ["gd", "momentum", "adam", "rmsprop", "adamw"];

    /// The optimizer's name as the command line spells it, e.g. `"rmsprop"`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Gd => "gd",
            Self::Momentum(_) => "momentum",
            Self::Adam(_) => "adam",
            Self::RmsProp(_) => "rmsprop",
            Self::AdamW(_) => "adamw",
        }
    }

    /// The optimizer called `name` (one of [`NAMES`](OptimizerConfig::NAMES)) with its
    /// default settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"optimizer"`) for an unknown name.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::all_defaults().into_iter().find(|c| c.name() == name).ok_or_else(|| {
            Error::InvalidArgument {
                op: "optimizer",
                reason: format!(
                    "unknown optimizer \"{name}\", expected one of {}",
                    Self::NAMES.join(", ")
                ),
            }
        })
    }

    /// Every optimizer with its default settings: gd, momentum, Adam, RMSProp, AdamW.
    #[must_use]
    pub fn all_defaults() -> [Self; 5] {
        [
            Self::Gd,
            Self::Momentum(MomentumConfig::default()),
            Self::Adam(AdamConfig::default()),
            Self::RmsProp(RmsPropConfig::default()),
            Self::AdamW(AdamWConfig::default()),
        ]
    }

    /// The state buffers the optimizer keeps per parameter: 0 for gd, 1 for momentum
    /// (`v`) and RMSProp (`s`), 2 for Adam and AdamW (`v`, `s`).
    #[must_use]
    pub fn state_buffers(&self) -> usize {
        match self {
            Self::Gd => 0,
            Self::Momentum(_) | Self::RmsProp(_) => 1,
            Self::Adam(_) | Self::AdamW(_) => 2,
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the optimizer, as its config's `validate`.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::Gd => Ok(()),
            Self::Momentum(c) => c.validate(),
            Self::Adam(c) => c.validate(),
            Self::RmsProp(c) => c.validate(),
            Self::AdamW(c) => c.validate(),
        }
    }

    /// The optimizer, for any backend and dtype, with no state yet.
    ///
    /// # Errors
    /// As [`validate`](OptimizerConfig::validate).
    pub fn build<T: Scalar, B: Backend<T>>(&self) -> Result<Box<dyn Optimizer<T, B>>> {
        Ok(match self {
            Self::Gd => Box::new(GradientDescent::<T, B>::new()),
            Self::Momentum(c) => Box::new(Momentum::<T, B>::new(*c)?),
            Self::Adam(c) => Box::new(Adam::<T, B>::new(*c)?),
            Self::RmsProp(c) => Box::new(RmsProp::<T, B>::new(*c)?),
            Self::AdamW(c) => Box::new(AdamW::<T, B>::new(*c)?),
        })
    }
}

impl Default for OptimizerConfig {
    /// Adam with its default settings.
    fn default() -> Self {
        Self::Adam(AdamConfig::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_ndarray::Ndarray;

    #[test]
    fn names_round_trip_and_build() {
        for (config, name) in OptimizerConfig::all_defaults().iter().zip(OptimizerConfig::NAMES) {
            assert_eq!(config.name(), name);
            assert_eq!(OptimizerConfig::from_name(name).unwrap(), *config);
            assert_eq!(config.build::<f64, Ndarray>().unwrap().name(), name);
            assert_eq!(config.build::<f32, Ndarray>().unwrap().name(), name);
            let mut built = config.build::<f64, Ndarray>().unwrap();
            let params = vec![<Ndarray as descent_core::Backend<f64>>::zeros(2, 3)];
            built.init(&params).unwrap();
            assert_eq!(built.state().slots.len(), config.state_buffers(), "{name}");
        }
        let err = OptimizerConfig::from_name("sgd").unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "optimizer", .. }), "{err}");
    }

    #[test]
    fn build_validates() {
        let bad = OptimizerConfig::Adam(AdamConfig { epsilon: 0.0, ..AdamConfig::default() });
        assert!(matches!(bad.validate(), Err(Error::InvalidArgument { op: "adam", .. })));
        assert!(bad.build::<f64, Ndarray>().is_err());
        let bad = OptimizerConfig::Momentum(MomentumConfig { beta: 1.0, nesterov: false });
        assert!(matches!(bad.build::<f64, Ndarray>(), Err(Error::InvalidArgument { .. })));
    }
}
