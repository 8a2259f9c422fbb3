//! Python binding of the image specs: a request dict becomes a core `ImageSpec`; broken rules raise
//! `hcims.errors.ValidationError`, an unknown `os_version` warns with `hcims.errors.OsVersionWarning`.

use hcims::spec::{
    is_known_os_version as core_is_known_os_version, python_literals, schema, FieldError,
    ImageSpec, Mode, Rules, UnknownKeys, ValidationErrors,
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
static RULE_WARNING: PyOnceLock<Py<PyType>> = PyOnceLock::new();

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

/// [`spec_from_py`] for `client`, under its rules: with rules="warn" each value rule the spec breaks
/// is an `hcims.RuleWarning`, issued here (on the calling thread, before anything is sent, dry runs
/// included). Its `os_version` is checked against the live OS lists the client fetched, if any.
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
    let mut converter = JsonConverter::default();
    let mut path = String::new();
    let value = if let Ok(dict) = obj.cast::<PyDict>() {
        converter.dict(dict, &mut path, 0)
    } else if is_dataclass_instance(obj) {
        converter.dataclass(obj, &mut path, 0)
    } else {
        return Err(PyTypeError::new_err(format!(
            "an image spec must be a dict or a spec dataclass, got {}; hcims.specs.to_request_dict \
             converts other mappings and objects with model_dump()",
            type_name(obj)
        )));
    };
    if !converter.problems.is_empty() {
        return Err(validation_error_from_pairs(py, converter.problems));
    }
    let rules = client.map_or(Rules::Enforce, hcims::Client::rules);
    let (spec, broken) = ImageSpec::from_json_with(mode, &value, UnknownKeys::Reject, rules)
        .map_err(|e| validation_error(py, &e))?;
    warn_about_rules(py, &broken)?;
    let warnings = match client {
        Some(client) => client.os_version_warnings(&spec),
        None => spec.warnings(),
    };
    warn_about(py, warnings)?;
    Ok(spec)
}

/// The `hcims.errors.ValidationError` for `errors`, as `[(field path, message), ...]`, ending with how
/// to switch to rules="warn" when only value rules refused the spec.
pub fn validation_error(py: Python<'_>, errors: &ValidationErrors) -> PyErr {
    let pairs = errors
        .iter()
        .map(|e| (e.path.clone(), e.message.clone()))
        .collect();
    validation_error_with_hint(py, pairs, errors.switch_hint().unwrap_or_default())
}

fn validation_error_from_pairs(py: Python<'_>, pairs: Vec<(String, String)>) -> PyErr {
    validation_error_with_hint(py, pairs, "")
}

fn validation_error_with_hint(py: Python<'_>, pairs: Vec<(String, String)>, hint: &str) -> PyErr {
    match VALIDATION_ERROR
        .import(py, "hcims.errors", "ValidationError")
        .and_then(|class| class.call1((pairs, hint)))
    {
        Ok(exception) => PyErr::from_value(exception),
        Err(import_failed) => import_failed,
    }
}

/// Emits each warning of `spec` as an `OsVersionWarning` pointing at the user's code.
fn warn_about(py: Python<'_>, warnings: Vec<String>) -> PyResult<()> {
    warn_each(py, &OS_VERSION_WARNING, "OsVersionWarning", warnings)
}

/// Emits each value rule `rules="warn"` let through as an `hcims.RuleWarning` pointing at the user's code.
fn warn_about_rules(py: Python<'_>, broken: &[FieldError]) -> PyResult<()> {
    let messages = broken.iter().map(FieldError::warning_text).collect();
    warn_each(py, &RULE_WARNING, "RuleWarning", messages)
}

/// Emits each of `messages` as the `hcims.errors` warning `name`, at the first frame outside hcims.
fn warn_each(
    py: Python<'_>,
    class: &'static PyOnceLock<Py<PyType>>,
    name: &str,
    messages: Vec<String>,
) -> PyResult<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let category = class.import(py, "hcims.errors", name)?;
    let stacklevel = user_stacklevel(py)?;
    let warn = py.import("warnings")?.getattr("warn")?;
    for message in messages {
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
        } else if is_dataclass_instance(obj) {
            self.dataclass(obj, path, depth + 1)
        } else if let Some(items) = mapping_items(obj) {
            match items {
                Ok(items) => self.mapping(items, path, depth + 1),
                Err(error) => {
                    self.problem(path, format!("cannot be read as a mapping: {error}"));
                    Value::Null
                }
            }
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
            self.member(&mut object, key, &value, path, depth);
        }
        Value::Object(object)
    }

    /// Converts `value` at `path.key`, and puts it into `object` under `key`.
    fn member(
        &mut self,
        object: &mut Map<String, Value>,
        key: String,
        value: &Bound<'_, PyAny>,
        path: &mut String,
        depth: usize,
    ) {
        let parent_len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&key);
        let converted = self.value(value, path, depth);
        path.truncate(parent_len);
        object.insert(key, converted);
    }

    /// A dataclass instance (a spec class, nested ones, a user's own) as an object of its fields that
    /// are not None, in field order; `hcims.specs.to_request_dict` makes its dicts here too. A `Tag`
    /// keeps both of its fields whatever they hold.
    fn dataclass(&mut self, obj: &Bound<'_, PyAny>, path: &mut String, depth: usize) -> Value {
        let fields = match dataclass_field_names(obj) {
            Ok(fields) => fields,
            Err(error) => {
                self.problem(
                    path,
                    format!("cannot read the fields of a {}: {error}", type_name(obj)),
                );
                return Value::Null;
            }
        };
        let keep_none = is_tag(obj);
        let mut object = Map::with_capacity(fields.len());
        for name in fields.iter() {
            let Ok(name) = name.cast_into::<PyString>() else {
                continue;
            };
            let value = match obj.getattr(&name) {
                Ok(value) => value,
                Err(error) => {
                    self.problem(path, format!("cannot read field {name}: {error}"));
                    continue;
                }
            };
            if value.is_none() && !keep_none {
                continue;
            }
            // Field names are identifiers: UTF-8 always, read without going through `str()`.
            let key = name
                .to_cow()
                .map_or_else(|_| name.to_string(), |key| key.into_owned());
            self.member(&mut object, key, &value, path, depth);
        }
        Value::Object(object)
    }

    /// A mapping other than a dict (`MappingProxyType`, ...), read through its `items()`.
    fn mapping(&mut self, items: Bound<'_, PyAny>, path: &mut String, depth: usize) -> Value {
        let dict = PyDict::new(items.py());
        let filled = items.try_iter().and_then(|pairs| {
            for pair in pairs {
                let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
                dict.set_item(key, value)?;
            }
            Ok(())
        });
        match filled {
            Ok(()) => self.dict(&dict, path, depth),
            Err(error) => {
                self.problem(path, format!("cannot be read as a mapping: {error}"));
                Value::Null
            }
        }
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

static DATACLASS_FIELDS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// Class -> tuple of its dataclass field names.
static FIELD_NAMES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static MAPPING_ABC: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TAG_CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `dataclasses.is_dataclass(obj) and not isinstance(obj, type)`.
fn is_dataclass_instance(obj: &Bound<'_, PyAny>) -> bool {
    let py = obj.py();
    !obj.is_instance_of::<PyType>()
        && obj
            .get_type()
            .hasattr(pyo3::intern!(py, "__dataclass_fields__"))
            .unwrap_or(false)
}

/// The names of `dataclasses.fields(obj)`, in order (ClassVar and InitVar pseudo-fields left out),
/// remembered per class: `dataclasses.fields` costs more than reading the spec itself.
fn dataclass_field_names<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let py = obj.py();
    let known = FIELD_NAMES
        .get_or_init(py, || PyDict::new(py).unbind())
        .bind(py);
    let class = obj.get_type();
    if let Some(names) = known.get_item(&class)? {
        return Ok(names.cast_into::<PyTuple>()?);
    }
    let fields = DATACLASS_FIELDS.import(py, "dataclasses", "fields")?;
    let names = fields
        .call1((obj,))?
        .try_iter()?
        .map(|field| {
            Ok(field?
                .getattr(pyo3::intern!(py, "name"))?
                .cast_into::<PyString>()?)
        })
        .collect::<PyResult<Vec<_>>>()?;
    let names = PyTuple::new(py, names)?;
    known.set_item(class, &names)?;
    Ok(names)
}

/// `hcims.specs.Tag`, whose `{"key", "value"}` form always has both keys.
fn is_tag(obj: &Bound<'_, PyAny>) -> bool {
    TAG_CLASS
        .import(obj.py(), "hcims.specs", "Tag")
        .is_ok_and(|tag| obj.get_type().is(tag))
}

/// `obj.items()` when `obj` is a `collections.abc.Mapping` (dicts are handled before).
fn mapping_items<'py>(obj: &Bound<'py, PyAny>) -> Option<PyResult<Bound<'py, PyAny>>> {
    let mapping = MAPPING_ABC
        .import(obj.py(), "collections.abc", "Mapping")
        .ok()?;
    if obj.is_instance(mapping).unwrap_or(false) {
        Some(obj.call_method0(pyo3::intern!(obj.py(), "items")))
    } else {
        None
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

/// The request dict of `spec` (a spec dataclass, or a list or mapping holding them): dataclasses
/// become dicts of their fields that are not None, as the core reads them. A value JSON cannot hold
/// is a `ValidationError` naming its field path.
#[pyfunction]
fn request_dict<'py>(py: Python<'py>, spec: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let mut converter = JsonConverter::default();
    let value = converter.value(spec, &mut String::new(), 0);
    if !converter.problems.is_empty() {
        return Err(validation_error_from_pairs(py, converter.problems));
    }
    Ok(pythonize::pythonize(py, &value)?)
}

/// Type of one field in [`spec_schema`]: (name, required, dataclass annotation, TypedDict annotation).
type FieldRow = (&'static str, bool, String, String);

/// The spec classes as the core declares them, for `scripts/gen_specs.py`: per class (name, mode or
/// None for a data image inside another spec, docstring, fields in order).
#[pyfunction]
fn spec_schema() -> Vec<(
    &'static str,
    Option<&'static str>,
    &'static str,
    Vec<FieldRow>,
)> {
    schema()
        .into_iter()
        .map(|way| {
            let fields = way
                .fields
                .into_iter()
                .map(|f| (f.key, f.required, f.python, f.python_dict))
                .collect();
            (way.name, way.mode.map(Mode::as_str), way.python_doc, fields)
        })
        .collect()
}

/// The word lists of the spec fields that take one of a few words, for `scripts/gen_specs.py`:
/// (name of the `Literal` alias, words).
#[pyfunction]
fn spec_literals() -> Vec<(String, Vec<&'static str>)> {
    python_literals()
}

/// True when `os_version` is exactly one of the values bundled with hcims.
#[pyfunction]
fn is_known_os_version(os_version: &str) -> bool {
    core_is_known_os_version(os_version)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(is_known_os_version, m)?)?;
    m.add_function(wrap_pyfunction!(request_dict, m)?)?;
    m.add_function(wrap_pyfunction!(spec_schema, m)?)?;
    m.add_function(wrap_pyfunction!(spec_literals, m)?)?;
    Ok(())
}
