//! Weight IO in the safetensors format, with PyTorch's tensor names and
//! layouts, so `model.state_dict()` files move between PyTorch and typenet
//! as they are.
//!
//! Networks declared with `network!` get `save`, `load`, `load_into`,
//! `load_into_with` and `state_dict` methods that call the functions here;
//! use these directly for custom layers or generic code.
//!
//! ```
//! use typenet::prelude::*;
//!
//! network! { pub struct Tiny { input: 3, fc: Dense<2, Relu>, out: Dense<1> } }
//!
//! let path = std::env::temp_dir().join(format!("typenet-io-doc-{}.safetensors", std::process::id()));
//! let net = Tiny::<Eval>::seeded(7);
//! net.save(&path)?;
//! let back = Tiny::<Eval>::load(&path)?;
//! assert_eq!(back.fc.weights(), net.fc.weights());
//! # std::fs::remove_file(&path).ok();
//! # Ok::<(), typenet::Error>(())
//! ```

mod atomic;
pub mod onnx;
mod proto;
pub mod pytorch;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensorError, SafeTensors};

use crate::error::{Error, Result};
use crate::layers::tensors::memory_to_torch;
use crate::layers::{Init, Layer, TensorKind, ValueRange};
use crate::network::NetworkDef;

/// Metadata key of the typenet version that wrote a file.
pub const VERSION_KEY: &str = "typenet.version";
/// Metadata key of the architecture (the network's summary as JSON).
pub const ARCHITECTURE_KEY: &str = "typenet.architecture";

/// safetensors' own limit on the JSON header; a length field above it means
/// the file is something else.
const MAX_HEADER: u64 = 100_000_000;

/// One tensor in PyTorch's layout: `shape` in PyTorch order and `data`
/// row-major (a Dense weight is `[out, in]`, element `(o, i)` at
/// `o * in + i`).
///
/// ```
/// use typenet::{io::StateDict, Dense, Linear, Weights};
/// let mut layer = Dense::<3, 2, Linear>::zeros();
/// layer.weights_mut()[(1, 0)] = 5.0; // out 1, in 0
/// let dict = StateDict::of(&layer);
/// let w = dict.get("weight").unwrap();
/// assert_eq!((w.shape.as_slice(), w.data[3]), (&[2, 3][..], 5.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor {
    /// PyTorch-style name, e.g. `fc1.weight` or `base.fc1.bias`.
    pub name: String,
    /// Shape in PyTorch order.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
    /// Parameter or state; `None` for a tensor read from a file, which does
    /// not say.
    pub kind: Option<TensorKind>,
}

/// Named tensors plus string metadata: what a safetensors file holds, and
/// what `net.state_dict()` returns (so other formats can be written from it).
///
/// ```
/// use typenet::prelude::*;
///
/// network! { pub struct Tiny { input: 3, fc: Dense<2> } }
///
/// let net = Tiny::<Eval>::seeded(1);
/// let dict = net.state_dict();
/// let names: Vec<&str> = dict.iter().map(|t| t.name.as_str()).collect();
/// assert_eq!(names, ["fc.weight", "fc.bias"]);
/// let w = dict.get("fc.weight").unwrap();
/// assert_eq!(w.shape, [2, 3]);
/// assert_eq!(w.data[1], net.fc.weights()[(0, 1)]); // row-major [out, in]
///
/// let back = typenet::io::StateDict::from_bytes(&dict.to_bytes()?)?;
/// assert_eq!(back.get("fc.weight").unwrap().data, w.data);
/// # Ok::<(), typenet::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateDict {
    /// The tensors, in the order the network visits them (file order for a
    /// dictionary read from a file).
    pub tensors: Vec<NamedTensor>,
    /// String metadata (safetensors' `__metadata__`).
    pub metadata: BTreeMap<String, String>,
}

impl StateDict {
    /// The tensors of any layer (nested networks and custom layers too),
    /// without metadata.
    ///
    /// ```
    /// use typenet::{io::StateDict, Dense, Linear};
    /// let layer = Dense::<3, 2, Linear>::zeros();
    /// assert_eq!(StateDict::of(&layer).len(), 2);
    /// ```
    pub fn of<L: Layer>(layer: &L) -> Self {
        let mut tensors = Vec::new();
        layer.visit_tensors("", &mut |name, t| {
            let mut data = vec![0.0; t.data.len()];
            for (memory, torch) in memory_to_torch(t.shape, t.memory_axes).enumerate() {
                data[torch] = t.data[memory];
            }
            tensors.push(NamedTensor {
                name: name.to_string(),
                shape: t.shape.to_vec(),
                data,
                kind: Some(t.kind),
            });
        });
        StateDict { tensors, metadata: BTreeMap::new() }
    }

    /// Named tensors, without metadata: for renaming a file's tensors
    /// (PyTorch's `_l1` layers of a stacked LSTM, say) before loading.
    ///
    /// ```
    /// use typenet::io::{NamedTensor, StateDict};
    /// let t = NamedTensor { name: "fc.bias".into(), shape: vec![2], data: vec![0.5, -1.0], kind: None };
    /// let dict = StateDict::from_tensors(vec![t.clone()])?;
    /// assert_eq!(dict.get("fc.bias").unwrap().data, [0.5, -1.0]);
    /// // A name the file format reserves, an empty one or a repeated one is refused.
    /// let reserved = NamedTensor { name: "__metadata__".into(), ..t.clone() };
    /// assert!(StateDict::from_tensors(vec![reserved]).is_err());
    /// assert!(StateDict::from_tensors(vec![t.clone(), t]).is_err());
    /// # Ok::<(), typenet::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Error::InvalidArgument` for a tensor named `__metadata__` (the
    /// safetensors header's key for the metadata), an empty name or a name
    /// given twice: `to_bytes` would write a file that cannot be read back.
    pub fn from_tensors(tensors: Vec<NamedTensor>) -> Result<Self> {
        let mut seen = HashSet::with_capacity(tensors.len());
        for (index, tensor) in tensors.iter().enumerate() {
            let problem = match tensor.name.as_str() {
                "" => "an empty name",
                "__metadata__" => "the name safetensors reserves for the file's metadata",
                name if !seen.insert(name) => "a name an earlier tensor already has",
                _ => continue,
            };
            return Err(Error::InvalidArgument(format!(
                "tensor {index} (`{}`) has {problem}: a file of these tensors could not be read back",
                tensor.name
            )));
        }
        Ok(StateDict { tensors, metadata: BTreeMap::new() })
    }

    /// The tensor called `name`.
    ///
    /// ```
    /// use typenet::{io::StateDict, Dense, Linear};
    /// let dict = StateDict::of(&Dense::<3, 2, Linear>::zeros());
    /// assert_eq!(dict.get("bias").unwrap().shape, [2]);
    /// assert!(dict.get("nothing").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<&NamedTensor> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// The tensors in order.
    ///
    /// ```
    /// use typenet::{io::StateDict, Dense, Linear};
    /// let dict = StateDict::of(&Dense::<3, 2, Linear>::zeros());
    /// assert_eq!(dict.iter().map(|t| t.data.len()).sum::<usize>(), 8);
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, NamedTensor> {
        self.tensors.iter()
    }

    /// Number of tensors.
    ///
    /// ```
    /// assert_eq!(typenet::io::StateDict::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    /// Whether there are no tensors.
    ///
    /// ```
    /// assert!(typenet::io::StateDict::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }

    /// The safetensors bytes: every tensor as little-endian F32.
    ///
    /// # Errors
    /// `Error::InvalidArgument` if safetensors refuses the header (two
    /// tensors with one name, a header over 100 MB).
    ///
    /// ```
    /// use typenet::{io::StateDict, Dense, Linear};
    /// let bytes = StateDict::of(&Dense::<3, 2, Linear>::zeros()).to_bytes()?;
    /// assert_eq!(&bytes[8..9], b"{");
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut seen = HashSet::new();
        if let Some(t) = self.tensors.iter().find(|t| !seen.insert(t.name.as_str())) {
            return Err(Error::InvalidArgument(format!("two tensors are called `{}`", t.name)));
        }
        let views =
            self.tensors.iter().map(|t| (t.name.as_str(), F32View { shape: &t.shape, data: &t.data }));
        let metadata: HashMap<String, String> =
            self.metadata.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let metadata = if metadata.is_empty() { None } else { Some(metadata) };
        safetensors::serialize(views, metadata).map_err(|e| Error::InvalidArgument(e.to_string()))
    }

    /// Writes the file atomically: `path` holds either its old contents or
    /// all of the new ones, never a mixture.
    ///
    /// # Errors
    /// As [`to_bytes`](Self::to_bytes), and `Error::Io` if writing fails (the
    /// previous file, if any, is then left as it was).
    ///
    /// ```
    /// use typenet::{io::StateDict, Dense, Linear};
    /// let path = std::env::temp_dir().join(format!("typenet-dict-doc-{}.safetensors", std::process::id()));
    /// StateDict::of(&Dense::<3, 2, Linear>::zeros()).save(&path)?;
    /// assert_eq!(StateDict::read(&path)?.len(), 2);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), typenet::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        atomic::write_atomic(path.as_ref(), &self.to_bytes()?, |file| file)
    }

    /// Reads every tensor of a safetensors file, converting each numeric
    /// dtype to f32 (PyTorch's int64 `num_batches_tracked` too), with the
    /// file's metadata.
    ///
    /// # Errors
    /// `Error::NotSafetensors`, `Error::Truncated`, `Error::InvalidHeader`
    /// for a damaged file; `Error::DtypeMismatch` for a tensor with no f32
    /// reading (complex, 8-bit floats).
    ///
    /// ```
    /// use typenet::io::StateDict;
    /// let err = StateDict::from_bytes(b"hello, world").unwrap_err();
    /// assert!(matches!(err, typenet::Error::NotSafetensors(_)));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let file = parse(bytes)?;
        let mut tensors = Vec::new();
        // File order (by offset) rather than the hash order safetensors
        // keeps its index in, so a read is deterministic.
        let mut views: Vec<(&str, TensorView<'_>)> = file.iter().collect();
        views.sort_by_key(|(_, v)| v.data().as_ptr() as usize);
        for (name, view) in views {
            let data = to_f32(name, &view, Convert::AnyNumber)?;
            tensors.push(NamedTensor {
                name: name.to_string(),
                shape: view.shape().to_vec(),
                data,
                kind: None,
            });
        }
        Ok(StateDict { tensors, metadata: metadata(bytes)? })
    }

    /// [`from_bytes`](Self::from_bytes) on a file's contents.
    ///
    /// # Errors
    /// `Error::Io` if the file cannot be read, else as `from_bytes`.
    ///
    /// ```
    /// let err = typenet::io::StateDict::read("no/such/file.safetensors").unwrap_err();
    /// assert!(matches!(err, typenet::Error::Io { .. }));
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_bytes(&read_file(path.as_ref())?)
    }
}

impl<'a> IntoIterator for &'a StateDict {
    type Item = &'a NamedTensor;
    type IntoIter = std::slice::Iter<'a, NamedTensor>;
    fn into_iter(self) -> Self::IntoIter {
        self.tensors.iter()
    }
}

/// A tensor borrowed for `safetensors::serialize`.
struct F32View<'a> {
    shape: &'a [usize],
    data: &'a [f32],
}

impl safetensors::View for F32View<'_> {
    fn dtype(&self) -> Dtype {
        Dtype::F32
    }
    fn shape(&self) -> &[usize] {
        self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Owned(self.data.iter().flat_map(|v| v.to_le_bytes()).collect())
    }
    fn data_len(&self) -> usize {
        self.data.len() * 4
    }
}

/// What a load tolerates beyond an exact match.
///
/// More options will be added as loading learns new checks, each off by
/// default. So that adding one breaks no code, write a struct literal with
/// `..Default::default()` or start from [`LoadOptions::new`] and use the
/// builder methods:
///
/// ```
/// use typenet::io::LoadOptions;
/// let lenient = LoadOptions::new().allow_extra(true).convert_dtypes(true);
/// assert!(lenient.allow_extra && lenient.convert_dtypes && !lenient.allow_non_finite);
/// let literal = LoadOptions { allow_extra: true, convert_dtypes: true, ..Default::default() };
/// assert_eq!(literal, lenient);
/// assert_eq!(
///     LoadOptions::default(),
///     LoadOptions { allow_extra: false, convert_dtypes: false, allow_non_finite: false }
/// );
/// ```
// Not `#[non_exhaustive]`: that would forbid the `..Default::default()`
// literals above in other crates, which the guide shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Ignore tensors the network does not have (an error by default, as
    /// PyTorch's `strict=True`).
    pub allow_extra: bool,
    /// Convert F16, BF16 and F64 tensors to f32 (an error by default, so a
    /// precision change never happens unnoticed).
    pub convert_dtypes: bool,
    /// Load NaN and infinite values, and negative running variances (an
    /// [`Error::InvalidValue`] by default, so a diverged run's weights are
    /// never used unnoticed; set it to inspect such a file).
    pub allow_non_finite: bool,
}

impl LoadOptions {
    /// The strict default: exact names, shapes and F32, finite values.
    ///
    /// ```
    /// assert!(!typenet::io::LoadOptions::new().allow_extra);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets [`allow_extra`](Self#structfield.allow_extra).
    ///
    /// ```
    /// assert!(typenet::io::LoadOptions::new().allow_extra(true).allow_extra);
    /// ```
    pub fn allow_extra(mut self, allow: bool) -> Self {
        self.allow_extra = allow;
        self
    }
    /// Sets [`convert_dtypes`](Self#structfield.convert_dtypes).
    ///
    /// ```
    /// assert!(typenet::io::LoadOptions::new().convert_dtypes(true).convert_dtypes);
    /// ```
    pub fn convert_dtypes(mut self, convert: bool) -> Self {
        self.convert_dtypes = convert;
        self
    }
    /// Sets [`allow_non_finite`](Self#structfield.allow_non_finite).
    ///
    /// ```
    /// assert!(typenet::io::LoadOptions::new().allow_non_finite(true).allow_non_finite);
    /// ```
    pub fn allow_non_finite(mut self, allow: bool) -> Self {
        self.allow_non_finite = allow;
        self
    }
}

/// A network's tensors with its architecture and the typenet version as
/// metadata: what [`save`] writes.
///
/// ```
/// use typenet::prelude::*;
/// network! { pub struct Tiny { input: 3, fc: Dense<2> } }
/// let dict = typenet::io::state_dict(&Tiny::<Eval>::seeded(1));
/// assert!(dict.metadata[typenet::io::ARCHITECTURE_KEY].contains("Dense<2>"));
/// ```
pub fn state_dict<N: NetworkDef>(net: &N) -> StateDict {
    let mut dict = StateDict::of(net);
    dict.metadata.insert("format".to_string(), "pt".to_string());
    dict.metadata.insert(VERSION_KEY.to_string(), env!("CARGO_PKG_VERSION").to_string());
    dict.metadata.insert(ARCHITECTURE_KEY.to_string(), architecture(net));
    dict
}

/// [`load_into`] for a network: when the file does not fit and it records
/// another architecture than `net`'s (a file saved from another network),
/// the error says so, with the first row where the two summaries differ.
pub(crate) fn load_network_into<N: NetworkDef>(
    net: &mut N,
    path: &Path,
    options: &LoadOptions,
) -> Result<()> {
    let bytes = read_file(path)?;
    load_bytes_into(net, &bytes, options).map_err(|err| with_architecture(net, &bytes, err))
}

/// `err`, wrapped in `Error::OtherArchitecture` when it is about which
/// tensors the file holds or their shapes and the file's recorded
/// architecture differs from `net`'s.
fn with_architecture<N: NetworkDef>(net: &N, bytes: &[u8], err: Error) -> Error {
    let about_fit = |e: &Error| {
        matches!(
            e,
            Error::MissingTensor { .. } | Error::UnexpectedTensor { .. } | Error::ShapeMismatch { .. }
        )
    };
    let fits = match &err {
        Error::LoadProblems { problems } => problems.iter().any(about_fit),
        single => about_fit(single),
    };
    let recorded = metadata(bytes).ok().and_then(|m| m.get(ARCHITECTURE_KEY).cloned());
    let (true, Some(recorded)) = (fits, recorded) else {
        return err;
    };
    // The summaries' layer rows, as the summary prints them.
    let rows = |json: &str| -> Option<(String, Vec<String>)> {
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        let name = value["name"].as_str()?.to_string();
        let layers = value["layers"].as_array()?;
        let text = |v: &serde_json::Value| v.to_string().replace('"', "");
        Some((
            name,
            layers
                .iter()
                .map(|l| {
                    format!("{}: {} -> {}", text(&l["name"]), text(&l["type"]), text(&l["output_shape"]))
                })
                .collect(),
        ))
    };
    let (Some((saved_from, file)), Some((_, ours))) = (rows(&recorded), rows(&architecture(net))) else {
        return err;
    };
    let Some(row) = (0..file.len().max(ours.len())).find(|&i| file.get(i) != ours.get(i)) else {
        return err;
    };
    let at = |rows: &[String]| rows.get(row).cloned().unwrap_or_else(|| "(no such row)".into());
    Error::OtherArchitecture { saved_from, row, file: at(&file), network: at(&ours), problems: Box::new(err) }
}

/// The summary as JSON, so a file says what it was saved from.
fn architecture<N: NetworkDef>(net: &N) -> String {
    let summary = crate::network::summary(net);
    let layers: Vec<serde_json::Value> = summary
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "type": r.kind,
                "output_shape": r.output_shape,
                "params": r.params,
                "state": r.state,
                "trainable": r.trainable,
                "phase": r.phase,
            })
        })
        .collect();
    serde_json::json!({ "name": summary.name, "input_shape": summary.input_shape, "layers": layers })
        .to_string()
}

/// Saves `net` to `path` atomically.
///
/// # Errors
/// `Error::Io` if writing fails; the previous file, if any, is left as it was.
///
/// ```
/// use typenet::prelude::*;
/// network! { pub struct Tiny { input: 3, fc: Dense<2> } }
/// let path = std::env::temp_dir().join(format!("typenet-save-doc-{}.safetensors", std::process::id()));
/// typenet::io::save(&Tiny::<Eval>::seeded(1), &path)?;
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), typenet::Error>(())
/// ```
pub fn save<N: NetworkDef>(net: &N, path: impl AsRef<Path>) -> Result<()> {
    save_with(net, path, |file| file)
}

/// [`save`] through a writer made from the temporary file by `wrap`: the
/// place to inject failures in tests, or to count or throttle bytes.
///
/// # Errors
/// As [`save`].
///
/// ```
/// use std::io::{self, Write};
/// use typenet::prelude::*;
/// use typenet::io::SyncWrite;
///
/// /// Fails on the first write, like a full disk.
/// struct Full(std::fs::File);
/// impl Write for Full {
///     fn write(&mut self, _: &[u8]) -> io::Result<usize> { Err(io::Error::other("disk full")) }
///     fn flush(&mut self) -> io::Result<()> { Ok(()) }
/// }
/// impl SyncWrite for Full {
///     fn sync(&mut self) -> io::Result<()> { self.0.sync_all() }
/// }
///
/// network! { pub struct Tiny { input: 3, fc: Dense<2> } }
/// let path = std::env::temp_dir().join(format!("typenet-full-doc-{}.safetensors", std::process::id()));
/// let err = typenet::io::save_with(&Tiny::<Eval>::seeded(1), &path, Full).unwrap_err();
/// assert!(matches!(err, typenet::Error::Io { .. }));
/// assert!(!path.exists());
/// ```
pub fn save_with<N: NetworkDef, W: SyncWrite>(
    net: &N,
    path: impl AsRef<Path>,
    wrap: impl FnOnce(File) -> W,
) -> Result<()> {
    atomic::write_atomic(path.as_ref(), &state_dict(net).to_bytes()?, wrap)
}

/// A writer that can also push its bytes to the disk (`File::sync_all`):
/// what [`save_with`] writes through.
///
/// ```
/// use typenet::io::SyncWrite;
/// let path = std::env::temp_dir().join(format!("typenet-sync-doc-{}", std::process::id()));
/// let mut file = std::fs::File::create(&path).unwrap();
/// file.sync().unwrap();
/// # std::fs::remove_file(&path).ok();
/// ```
pub trait SyncWrite: Write {
    /// Flushes to the storage device.
    fn sync(&mut self) -> std::io::Result<()>;
}

impl SyncWrite for File {
    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_all()
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })
}

/// A network of type `N` with its tensors read from `path`; anything the
/// file does not hold (dropout seeds, custom layers' unsaved state) is as
/// `N::init` with seed 0 makes it.
///
/// # Errors
/// As [`load_into`].
///
/// ```
/// use typenet::prelude::*;
/// use typenet::io::LoadOptions;
/// network! { pub struct Tiny { input: 3, fc: Dense<2> } }
/// let path = std::env::temp_dir().join(format!("typenet-load-doc-{}.safetensors", std::process::id()));
/// Tiny::<Eval>::seeded(5).save(&path)?;
/// let net: Tiny<Train> = typenet::io::load(&path, &LoadOptions::default())?;
/// assert_eq!(net.fc.weights(), Tiny::<Eval>::seeded(5).fc.weights());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), typenet::Error>(())
/// ```
pub fn load<N: Layer + Init>(path: impl AsRef<Path>, options: &LoadOptions) -> Result<N> {
    let mut net = N::init(&mut crate::rng::init_rng(0));
    load_into(&mut net, path, options)?;
    Ok(net)
}

/// Replaces `layer`'s tensors with those in the safetensors file at `path`.
///
/// Everything is checked before anything is written, so on any error the
/// layer is left bit for bit as it was.
///
/// # Errors
/// `Error::Io` (unreadable file), `Error::NotSafetensors`,
/// `Error::Truncated`, `Error::InvalidHeader`, `Error::MissingTensor`,
/// `Error::UnexpectedTensor` (unless `options.allow_extra`),
/// `Error::ShapeMismatch`, `Error::DtypeMismatch` (F16/BF16/F64 convert
/// with `options.convert_dtypes`), `Error::InvalidValue` for a NaN or
/// infinite value, or a negative running variance, and
/// `Error::OutOfF32Range` for a finite F64 value beyond f32's range
/// (both unless `options.allow_non_finite`). Every tensor is checked: with
/// more than one problem the error is `Error::LoadProblems`, listing each.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::io::LoadOptions;
/// network! { pub struct Tiny { input: 3, fc: Dense<2> } }
/// let mut net = Tiny::<Eval>::seeded(1);
/// let err = typenet::io::load_into(&mut net, "no/such/file.safetensors", &LoadOptions::default());
/// assert!(matches!(err, Err(typenet::Error::Io { .. })));
/// ```
pub fn load_into<L: Layer>(layer: &mut L, path: impl AsRef<Path>, options: &LoadOptions) -> Result<()> {
    load_bytes_into(layer, &read_file(path.as_ref())?, options)
}

/// [`load_into`] from the bytes of a safetensors file.
///
/// # Errors
/// As [`load_into`], without `Error::Io`.
///
/// ```
/// use typenet::prelude::*;
/// use typenet::io::{load_bytes_into, LoadOptions};
/// network! { pub struct Tiny { input: 3, fc: Dense<2> } }
/// let bytes = Tiny::<Eval>::seeded(2).state_dict().to_bytes()?;
/// let mut net = Tiny::<Eval>::seeded(1);
/// load_bytes_into(&mut net, &bytes, &LoadOptions::default())?;
/// assert_eq!(net.fc.weights(), Tiny::<Eval>::seeded(2).fc.weights());
/// # Ok::<(), typenet::Error>(())
/// ```
pub fn load_bytes_into<L: Layer>(layer: &mut L, bytes: &[u8], options: &LoadOptions) -> Result<()> {
    let file = parse(bytes)?;
    let convert = if options.convert_dtypes { Convert::Floats } else { Convert::None };

    let mut wanted: Vec<(String, Vec<usize>, Vec<usize>, ValueRange)> = Vec::new();
    layer.visit_tensors("", &mut |name, t| {
        wanted.push((name.to_string(), t.shape.to_vec(), t.memory_axes.to_vec(), t.range));
    });

    // Phase 1: validate and convert everything into the layer's own
    // layout; nothing is written until all of it passed.
    // Every tensor is checked, and every problem reported at once: a file
    // from another network differs in many tensors, and fixing them one
    // error at a time would take as many attempts.
    let mut ready: HashMap<&str, Vec<f32>> = HashMap::with_capacity(wanted.len());
    let mut problems = Vec::new();
    for (name, shape, memory_axes, range) in &wanted {
        let check = || -> Result<Vec<f32>> {
            let view = file.tensor(name).map_err(|_| Error::MissingTensor { name: name.clone() })?;
            if view.shape() != shape.as_slice() {
                return Err(Error::ShapeMismatch {
                    name: name.clone(),
                    expected: shape.clone(),
                    found: view.shape().to_vec(),
                });
            }
            let torch_order = to_f32(name, &view, convert)?;
            if !options.allow_non_finite {
                if let Some((index, value)) = beyond_f32(&view, &torch_order) {
                    return Err(Error::OutOfF32Range { name: name.clone(), index, value });
                }
                if let Some(index) = torch_order.iter().position(|&v| !range.admits(v)) {
                    return Err(Error::InvalidValue { name: name.clone(), index, value: torch_order[index] });
                }
            }
            Ok(torch_order)
        };
        match check() {
            Ok(torch_order) => {
                let mut memory_order = vec![0.0; torch_order.len()];
                for (memory, torch) in memory_to_torch(shape, memory_axes).enumerate() {
                    memory_order[memory] = torch_order[torch];
                }
                ready.insert(name.as_str(), memory_order);
            }
            Err(problem) => problems.push(problem),
        }
    }
    let known: HashSet<&str> = wanted.iter().map(|(name, ..)| name.as_str()).collect();
    let mut extra: Vec<(&str, TensorView<'_>)> =
        file.iter().filter(|(name, _)| !known.contains(name)).collect();
    extra.sort_by_key(|(name, _)| *name);
    for (name, view) in extra {
        if !options.allow_extra && !is_batch_counter(name, &view, &known) {
            problems.push(Error::UnexpectedTensor { name: name.to_string() });
        }
    }
    match problems.len() {
        0 => {}
        1 => return Err(problems.remove(0)),
        _ => return Err(Error::LoadProblems { problems }),
    }

    // Phase 2: write. Cannot fail: every tensor was checked above.
    layer.visit_tensors_mut("", &mut |name, t| {
        if let Some(values) = ready.get(name) {
            if values.len() == t.data.len() {
                t.data.copy_from_slice(values);
            }
        }
    });
    Ok(())
}

/// PyTorch's BatchNorm `num_batches_tracked`: an integer scalar next to a
/// `running_mean` the network has. typenet's running statistics use a fixed
/// momentum, so the count has nothing to go into.
fn is_batch_counter(name: &str, view: &TensorView<'_>, known: &HashSet<&str>) -> bool {
    let Some(prefix) = name.strip_suffix("num_batches_tracked") else {
        return false;
    };
    let integer = matches!(view.dtype(), Dtype::I64 | Dtype::I32 | Dtype::U64 | Dtype::U32);
    let scalar = view.shape().iter().product::<usize>() == 1;
    integer && scalar && known.contains(format!("{prefix}running_mean").as_str())
}

/// Which dtypes [`to_f32`] converts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Convert {
    /// F32 only.
    None,
    /// F32, and F16/BF16/F64 converted.
    Floats,
    /// Every numeric type (for reading a file as a whole).
    AnyNumber,
}

/// The first value of an F64 tensor that is finite in the file but not
/// once converted (`converted`), with its index: a weight of 1e300 is a
/// broken file, not an infinite weight.
fn beyond_f32(view: &TensorView<'_>, converted: &[f32]) -> Option<(usize, f64)> {
    if view.dtype() != Dtype::F64 {
        return None;
    }
    let original = |i: usize| f64::from_le_bytes(view.data()[8 * i..8 * i + 8].try_into().expect("8 bytes"));
    (0..converted.len())
        .filter(|&i| converted[i].is_infinite())
        .map(|i| (i, original(i)))
        .find(|(_, v)| v.is_finite())
}

/// A tensor's little-endian values as f32.
fn to_f32(name: &str, view: &TensorView<'_>, convert: Convert) -> Result<Vec<f32>> {
    let data = view.data();
    let dtype = view.dtype();
    let floats = matches!(dtype, Dtype::F16 | Dtype::BF16 | Dtype::F64);
    let integers = matches!(
        dtype,
        Dtype::BOOL
            | Dtype::U8
            | Dtype::I8
            | Dtype::U16
            | Dtype::I16
            | Dtype::U32
            | Dtype::I32
            | Dtype::U64
            | Dtype::I64
    );
    let allowed = dtype == Dtype::F32
        || (floats && convert != Convert::None)
        || (integers && convert == Convert::AnyNumber);
    if !allowed {
        return Err(Error::DtypeMismatch {
            name: name.to_string(),
            found: format!("{dtype:?}"),
            convertible: floats,
        });
    }
    fn each<const B: usize>(data: &[u8], f: impl Fn([u8; B]) -> f32) -> Vec<f32> {
        data.chunks_exact(B).map(|c| f(c.try_into().expect("chunks_exact gives B bytes"))).collect()
    }
    Ok(match dtype {
        Dtype::F32 => each(data, f32::from_le_bytes),
        Dtype::F64 => each(data, |b| f64::from_le_bytes(b) as f32),
        Dtype::F16 => each(data, |b| f16_to_f32(u16::from_le_bytes(b))),
        Dtype::BF16 => each(data, |b| f32::from_bits((u16::from_le_bytes(b) as u32) << 16)),
        Dtype::BOOL | Dtype::U8 => each(data, |[b]: [u8; 1]| b as f32),
        Dtype::I8 => each(data, |b| i8::from_le_bytes(b) as f32),
        Dtype::U16 => each(data, |b| u16::from_le_bytes(b) as f32),
        Dtype::I16 => each(data, |b| i16::from_le_bytes(b) as f32),
        Dtype::U32 => each(data, |b| u32::from_le_bytes(b) as f32),
        Dtype::I32 => each(data, |b| i32::from_le_bytes(b) as f32),
        Dtype::U64 => each(data, |b| u64::from_le_bytes(b) as f32),
        Dtype::I64 => each(data, |b| i64::from_le_bytes(b) as f32),
        _ => unreachable!("dtype {dtype:?} was rejected above"),
    })
}

/// IEEE half precision to single; exact (every f16 is an f32).
fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exponent = ((h >> 10) & 0x1f) as u32;
    let mantissa = (h & 0x3ff) as u32;
    let bits = match exponent {
        0 if mantissa == 0 => sign,
        0 => {
            // Subnormal: mantissa * 2^-24, exact in f32.
            let magnitude = mantissa as f32 / 16_777_216.0;
            return if sign != 0 { -magnitude } else { magnitude };
        }
        0x1f => sign | 0x7f80_0000 | (mantissa << 13),
        _ => sign | ((exponent + 112) << 23) | (mantissa << 13),
    };
    f32::from_bits(bits)
}

/// Parses a safetensors file, sorting failures into the three ways a file
/// can be wrong: not safetensors at all, cut short, or a damaged header.
fn parse(bytes: &[u8]) -> Result<SafeTensors<'_>> {
    let found = bytes.len() as u64;
    let Some(length) = bytes.get(..8) else {
        return Err(Error::Truncated { expected: 8, found });
    };
    let header_len = u64::from_le_bytes(length.try_into().expect("8 bytes"));
    if !(2..=MAX_HEADER).contains(&header_len) {
        return Err(Error::NotSafetensors(format!("its first 8 bytes give a header length of {header_len}")));
    }
    match bytes.get(8) {
        None => return Err(Error::Truncated { expected: 8 + header_len, found }),
        Some(b'{') => {}
        Some(_) => return Err(Error::NotSafetensors("its header does not start with `{`".to_string())),
    }
    if 8 + header_len > found {
        return Err(Error::Truncated { expected: 8 + header_len, found });
    }
    match SafeTensors::deserialize(bytes) {
        Ok(file) => Ok(file),
        Err(SafeTensorError::MetadataIncompleteBuffer) => {
            // The header is valid; compare its data size with the file's.
            let header = &bytes[8..8 + header_len as usize];
            let data_end = serde_json::from_slice::<serde_json::Value>(header)
                .ok()
                .and_then(|v| {
                    v.as_object()?.values().filter_map(|t| t.get("data_offsets")?.get(1)?.as_u64()).max()
                })
                .unwrap_or(0);
            let expected = 8 + header_len + data_end;
            if expected > found {
                Err(Error::Truncated { expected, found })
            } else {
                Err(Error::InvalidHeader(format!("{} bytes follow the last tensor", found - expected)))
            }
        }
        Err(e) => Err(Error::InvalidHeader(e.to_string())),
    }
}

/// The `__metadata__` strings of a parsed file.
fn metadata(bytes: &[u8]) -> Result<BTreeMap<String, String>> {
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| Error::InvalidHeader(e.to_string()))?;
    Ok(metadata.metadata().clone().unwrap_or_default().into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_orders_map_onto_pytorch_order() {
        // A column-major 2 x 3 matrix: memory walks columns.
        let order: Vec<usize> = memory_to_torch(&[2, 3], &[1, 0]).collect();
        assert_eq!(order, [0, 3, 1, 4, 2, 5]);
        // Channels last in memory, `[F, C, KH, KW]` on disk.
        let order: Vec<usize> = memory_to_torch(&[1, 2, 1, 2], &[0, 2, 3, 1]).collect();
        assert_eq!(order, [0, 2, 1, 3]);
        assert_eq!(memory_to_torch(&[4], &[0]).collect::<Vec<_>>(), [0, 1, 2, 3]);
    }

    #[test]
    fn half_precision_converts_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn damaged_files_are_told_apart() {
        assert!(matches!(parse(b"1234"), Err(Error::Truncated { expected: 8, found: 4 })));
        assert!(matches!(parse(b"not a safetensors file"), Err(Error::NotSafetensors(_))));
        let mut header = 20u64.to_le_bytes().to_vec();
        header.extend_from_slice(b"{\"a\":");
        assert!(matches!(parse(&header), Err(Error::Truncated { expected: 28, .. })));
        let mut garbage = 4u64.to_le_bytes().to_vec();
        garbage.extend_from_slice(b"{{{{");
        assert!(matches!(parse(&garbage), Err(Error::InvalidHeader(_))));
    }
}
