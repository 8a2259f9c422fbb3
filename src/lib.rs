//! The PyO3 layer of hcims: converts Python values, calls the core, maps errors. No business logic here.

use pyo3::prelude::*;

mod calls;
mod clients;
mod create_many;
mod errors;
mod filters;
mod interpreter;
mod interruptible;
mod job;
mod logging;
mod mock;
mod options;
mod outputs;
mod pending;
mod prepared;
mod sign;
mod spec;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    clients::register(m)?;
    sign::register(m)?;
    mock::register(m)?;
    spec::register(m)?;
    pending::register(m)?;
    Ok(())
}
