//! Python binding of the image specs: a request dict becomes a core `ImageSpec`; broken rules raise
//! `hcims.errors.ValidationError`, an unknown `os_version` warns with `hcims.errors.OsVersionWarning`.

use hcims::spec::{
    is_known_os_version as core_is_known_os_version, ImageSpec, Mode, UnknownKeys, ValidationErrors,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

/// Deeper nesting than any request needs; the cap also stops a list that contains itself.
const MAX_DEPTH: usize = 32;

static VALIDATION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static OS_VERSION_WARNING: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Reads a request dict (the API's own keys) into a core spec, checking every rule.
///
/// `mode` is "server", "data_images", "obs" or "volume"; `None` reads it from the keys. A non-dict
/// is a `TypeError`; a value JSON cannot hold, or a broken rule, is a `ValidationError` naming the
/// field path. An `os_version` outside the bundled list emits an `OsVersionWarning`.
pub fn spec_from_py(
    py: Python<'_>,
    mode: Option<&str>,
    obj: &Bound<'_, PyAny>,
) -> PyResult<ImageSpec> {
    spec_for_client(py, mode, obj, None)
}

/// [`spec_from_py`] for `client`: its `os_version` is checked against the live OS lists the client
/// fetched, when it fetched any.
pub fn spec_for_client(
    py: Python<'_>,
    mode: Option<&str>,
    obj: &Bound<'_, PyAny>,
    client: Option<&hcims::Client>,
) -> PyResult<ImageSpec> {
    let mode = mode
        .map(str::parse::<Mode>)
        .transpose()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let dict = obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "an image spec must be a dict, got {}; hcims.specs.to_request_dict converts the spec dataclasses \
             and objects with model_dump()",
            type_name(obj)
        ))
    })?;
    let mut converter = JsonConverter::default();
    let mut path = String::new();
    let value = converter.dict(dict, &mut path, 0);
    if !converter.problems.is_empty() {
        return Err(validation_error_from_pairs(py, converter.problems));
    }
    let spec = ImageSpec::from_json(mode, &value, UnknownKeys::Reject)
        .map_err(|e| validation_error(py, &e))?;
    let warnings = match client {
        Some(client) => client.os_version_warnings(&spec),
        None => spec.warnings(),
    };
    warn_about(py, warnings)?;
    Ok(spec)
}

/// The `hcims.errors.ValidationError` for `errors`, as `[(field path, message), ...]`.
pub fn validation_error(py: Python<'_>, errors: &ValidationErrors) -> PyErr {
    let pairs = errors
        .iter()
        .map(|e| (e.path.clone(), e.message.clone()))
        .collect();
    validation_error_from_pairs(py, pairs)
}

fn validation_error_from_pairs(py: Python<'_>, pairs: Vec<(String, String)>) -> PyErr {
    match VALIDATION_ERROR
        .import(py, "hcims.errors", "ValidationError")
        .and_then(|class| class.call1((pairs,)))
    {
        Ok(exception) => PyErr::from_value(exception),
        Err(import_failed) => import_failed,
    }
}

/// Emits each warning of `spec` as an `OsVersionWarning` pointing at the user's code.
fn warn_about(py: Python<'_>, warnings: Vec<String>) -> PyResult<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    let category = OS_VERSION_WARNING.import(py, "hcims.errors", "OsVersionWarning")?;
    let stacklevel = user_stacklevel(py)?;
    let warn = py.import("warnings")?.getattr("warn")?;
    for message in warnings {
        warn.call1((message, category, stacklevel))?;
    }
    Ok(())
}

/// The `stacklevel` of the first frame outside the hcims package: 1 is the Python frame that called
/// into Rust, and the client's own wrappers (`hcims.client`, ...) are skipped so that the warning
/// names the line of user code that made the spec.
fn user_stacklevel(py: Python<'_>) -> PyResult<i32> {
    let mut level = 1;
    let mut frame = py.import("sys")?.getattr("_getframe")?.call1((0,))?;
    while !frame.is_none() && level < 64 {
        let module = frame.getattr("f_globals")?.get_item("__name__").ok();
        let in_hcims = match module {
            Some(name) => {
                let name = name.extract::<String>().unwrap_or_default();
                name == "hcims" || name.starts_with("hcims.")
            }
            None => false,
        };
        if !in_hcims {
            break;
        }
        level += 1;
        frame = frame.getattr("f_back")?;
    }
    Ok(level)
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "an unknown type".to_owned())
}

/// Converts Python values to JSON in one pass, naming the field path of every value JSON cannot
/// hold. (pythonize's `depythonize` turns NaN into null and sets into lists without a word, and its
/// errors carry no path.)
#[derive(Default)]
struct JsonConverter {
    problems: Vec<(String, String)>,
}

impl JsonConverter {
    fn problem(&mut self, path: &str, message: String) {
        self.problems.push((path.to_owned(), message));
    }

    fn value(&mut self, obj: &Bound<'_, PyAny>, path: &mut String, depth: usize) -> Value {
        if obj.is_none() {
            Value::Null
        } else if let Ok(text) = obj.cast::<PyString>() {
            match text.to_cow() {
                Ok(text) => Value::String(text.into_owned()),
                Err(_) => {
                    self.problem(
                        path,
                        "is not valid Unicode text (it holds a lone surrogate)".to_owned(),
                    );
                    Value::Null
                }
            }
        } else if let Ok(flag) = obj.cast::<PyBool>() {
            Value::Bool(flag.is_true())
        } else if let Ok(int) = obj.cast::<PyInt>() {
            self.int(int, path)
        } else if let Ok(float) = obj.cast::<PyFloat>() {
            let number = float.value();
            match Number::from_f64(number) {
                Some(number) => Value::Number(number),
                None => {
                    self.problem(path, format!("must be a finite number, got {number}"));
                    Value::Null
                }
            }
        } else if depth >= MAX_DEPTH {
            self.problem(path, format!("is nested more than {MAX_DEPTH} levels deep"));
            Value::Null
        } else if let Ok(dict) = obj.cast::<PyDict>() {
            self.dict(dict, path, depth + 1)
        } else if let Ok(list) = obj.cast::<PyList>() {
            self.items(list.iter(), path, depth + 1)
        } else if let Ok(tuple) = obj.cast::<PyTuple>() {
            self.items(tuple.iter(), path, depth + 1)
        } else {
            self.problem(path, unsupported_message(obj));
            Value::Null
        }
    }

    fn int(&mut self, int: &Bound<'_, PyInt>, path: &str) -> Value {
        if let Ok(small) = int.extract::<i64>() {
            Value::Number(small.into())
        } else if let Ok(large) = int.extract::<u64>() {
            Value::Number(large.into())
        } else {
            let digits = int.str().map(|s| s.to_string()).unwrap_or_default();
            let shown = if digits.len() > 30 {
                format!("{}… ({} digits)", &digits[..30], digits.len())
            } else {
                digits
            };
            self.problem(path, format!("is an integer too large for JSON: {shown}"));
            Value::Null
        }
    }

    fn dict(&mut self, dict: &Bound<'_, PyDict>, path: &mut String, depth: usize) -> Value {
        let mut object = Map::with_capacity(dict.len());
        let parent_len = path.len();
        for (key, value) in dict.iter() {
            let key = match key.cast::<PyString>().map(|text| text.to_cow()) {
                Ok(Ok(text)) => text.into_owned(),
                Ok(Err(_)) => {
                    self.problem(path, "has a key that is not valid Unicode text".to_owned());
                    continue;
                }
                Err(_) => {
                    let shown = key.repr().map(|r| r.to_string()).unwrap_or_default();
                    let message = format!(
                        "has a key that is not a string: {} {shown}",
                        type_name(&key)
                    );
                    self.problem(path, message);
                    continue;
                }
            };
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&key);
            let converted = self.value(&value, path, depth);
            path.truncate(parent_len);
            object.insert(key, converted);
        }
        Value::Object(object)
    }

    fn items<'py>(
        &mut self,
        items: impl ExactSizeIterator<Item = Bound<'py, PyAny>>,
        path: &mut String,
        depth: usize,
    ) -> Value {
        let mut array = Vec::with_capacity(items.len());
        let parent_len = path.len();
        for (i, item) in items.enumerate() {
            path.push('[');
            path.push_str(&i.to_string());
            path.push(']');
            array.push(self.value(&item, path, depth));
            path.truncate(parent_len);
        }
        Value::Array(array)
    }
}

fn unsupported_message(obj: &Bound<'_, PyAny>) -> String {
    let kind = type_name(obj);
    if obj.is_instance_of::<PySet>() || obj.is_instance_of::<PyFrozenSet>() {
        format!("cannot be sent as JSON: a {kind} has no order; use a list or tuple")
    } else if obj.is_instance_of::<PyBytes>() {
        "cannot be sent as JSON: bytes are not text; decode them to str".to_owned()
    } else {
        format!(
            "cannot be sent as JSON: type {kind:?} is not one of dict, list, tuple, str, int, float, bool or None \
             (hcims.specs.to_request_dict converts the spec dataclasses)"
        )
    }
}

/// Checks an image spec without sending it and returns `(mode, JSON body)`.
///
/// `spec` is a request dict with the API's own keys; `mode` ("server", "data_images", "obs" or
/// "volume") is read from the keys when left out. Raises `hcims.errors.ValidationError` listing every
/// broken rule, `TypeError` for a non-dict; warns with `hcims.errors.OsVersionWarning` for an
/// `os_version` outside the bundled list.
#[pyfunction]
#[pyo3(signature = (spec, mode = None))]
fn validate(
    py: Python<'_>,
    spec: &Bound<'_, PyAny>,
    mode: Option<&str>,
) -> PyResult<(&'static str, String)> {
    let spec = spec_from_py(py, mode, spec)?;
    let body =
        String::from_utf8(spec.to_body()).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((spec.mode().as_str(), body))
}

/// True when `os_version` is exactly one of the values bundled with hcims.
#[pyfunction]
fn is_known_os_version(os_version: &str) -> bool {
    core_is_known_os_version(os_version)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(is_known_os_version, m)?)?;
    Ok(())
}
