//! The PyO3 layer of hcims: converts Python values, calls the core, maps errors.

use pyo3::prelude::*;

mod mock;
mod sign;
mod spec;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    sign::register(m)?;
    mock::register(m)?;
    spec::register(m)?;
    Ok(())
}
