//! Binding a layer's arguments as written to its table entry's
//! parameters ([`bind`]): every value checked against its [`Kind`], ranges
//! included, one error per mistake on its token.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::Ident;

use crate::dims::{Dim, MAX_VALUES};
use crate::errors::Errors;
use crate::parse::{args_text, value_text, Arg, Args, LayerSpec, Value};
use crate::schema::{AxisValue, Bindings, Bound, Brackets, Kind, LayerDef, Padding, Param};
use crate::suggest::nearest;

/// Binds `spec`'s arguments to `def`'s parameters; `None` if any is wrong
/// (each mistake reported).
pub fn bind(def: &LayerDef, spec: &LayerSpec, errors: &mut Errors) -> Option<Bindings> {
    let before = errors.len();
    let name = def.name;
    let (used, wrong) = match def.brackets {
        Brackets::Angle => (&spec.angle, &spec.call),
        Brackets::Call => (&spec.call, &spec.angle),
    };
    if def.positional.is_empty() && def.options.is_empty() {
        let given = spec.angle.as_ref().or(spec.call.as_ref().filter(|call| !call.items.is_empty()));
        if let Some(args) = given {
            errors.at(args.span, format!("`{name}` takes no arguments: write `{name}`"));
            return None;
        }
    }
    if let Some(wrong) = wrong {
        let (open, close) = def.brackets.pair();
        // `MaxPool2d(2)` is `MaxPool2d<2>` when its arguments fit there.
        let in_place = used.is_none().then(|| swap_brackets(spec)).filter(|swapped| {
            let mut quiet = Errors::default();
            bind(def, swapped, &mut quiet).is_some()
        });
        let written = match in_place {
            Some(_) => format!("{name}{open}{}{close}", args_text(&wrong.items)),
            None => def.usage.to_string(),
        };
        errors.at(wrong.span, format!("write `{written}`, not `{name}{}`", def.brackets.other()));
    }
    let mut bindings = Bindings::default();
    let args = used.clone().unwrap_or(Args { span: spec.span(), items: Vec::new() });
    if let Some(misplaced) = misplaced_activation(def, &args) {
        // Binding in the order written would take the activation for a
        // `const` width and report the size after it, not the swap.
        errors.at(misplaced.span, misplaced.message);
        return None;
    }
    let mut positional = def.positional.iter();
    let mut previous: Option<&Value> = None;
    let mut named_positional_seen = false;
    for arg in &args.items {
        match arg {
            Arg::Positional(value) => {
                let option =
                    def.options.iter().find(|p| matches!(value, Value::Path(path) if path.is_ident(p.name)));
                match (option, positional.next()) {
                    (Some(option), _) => {
                        let example = if matches!(option.kind, Kind::Bool) { "true" } else { ".." };
                        errors.at(
                            value.span(),
                            format!("`{0}` is a named option: write `{0} = {example}`", option.name),
                        );
                    }
                    (None, Some(param))
                        if matches!(param.kind, Kind::Activation(_))
                            && !matches!(value, Value::Path(_) | Value::Str(..)) =>
                    {
                        errors.at(value.span(), not_an_activation(def, previous, value));
                    }
                    (None, Some(param)) => bind_value(&mut bindings, param, value, name, errors),
                    (None, None) => {
                        // Keras and PyTorch take a pool's stride second.
                        let stride = def.options.iter().find(|p| p.name == "stride");
                        let hint = stride
                            .map(|_| format!("; a stride is named: `stride = {}`", value_text(value)))
                            .unwrap_or_default();
                        errors.at(value.span(), format!("too many arguments: write `{}`{hint}", def.usage))
                    }
                }
                previous = Some(value);
            }
            Arg::Named(key, value) => {
                let key_text = key.to_string();
                match def.options.iter().find(|p| p.name == key_text) {
                    Some(param) if bindings.values.contains_key(param.name) => {
                        errors.spanned(key, format!("`{key}` is given twice"));
                    }
                    Some(param) => bind_value(&mut bindings, param, value, name, errors),
                    None => match positional_named(def, &key_text) {
                        // One message says how to write them all.
                        Some(_) if named_positional_seen => {}
                        Some(_) => {
                            named_positional_seen = true;
                            errors.spanned(key, named_by_position(def, &args));
                        }
                        None => errors.spanned(key, unknown_option(key, name, def.options)),
                    },
                }
            }
        }
    }
    for param in def.positional.iter().chain(def.options) {
        if param.required && !bindings.values.contains_key(param.name) && errors.len() == before {
            errors.at(args.span, format!("`{name}` needs its {}: write `{}`", param.name, def.usage));
        }
    }
    (errors.len() == before).then_some(bindings)
}

/// What Keras and PyTorch call the arguments `network!` takes by position
/// (`Dense(units=32)`, `nn.Dropout(p=0.5)`), by the name of the parameter.
const POSITIONAL_ALIASES: &[(&str, &[&str])] = &[
    ("width", &["units", "out_features"]),
    ("filters", &["out_channels"]),
    ("kernel", &["kernel_size"]),
    ("window", &["pool_size", "kernel_size"]),
    ("rate", &["p"]),
    ("units", &["hidden_size"]),
    ("scale", &["size", "scale_factor"]),
    ("vocabulary", &["input_dim", "num_embeddings"]),
    ("dimension", &["output_dim", "embedding_dim"]),
];

/// The positional parameter of `def` that `key` names (its own name or a
/// Keras/PyTorch one).
fn positional_named(def: &LayerDef, key: &str) -> Option<&'static Param> {
    def.positional.iter().find(|param| {
        param.name == key
            || POSITIONAL_ALIASES.iter().any(|(name, aliases)| *name == param.name && aliases.contains(&key))
    })
}

/// The arguments with the named ones that are positional parameters moved
/// to their places (`Dense<units = 32>` is `Dense<32>`), when that leaves
/// no place empty before a given one.
pub fn by_position(def: &LayerDef, args: &Args) -> Option<Args> {
    let mut slots: Vec<Option<Value>> = vec![None; def.positional.len()];
    let mut named = Vec::new();
    let mut next = 0;
    let mut moved = false;
    for arg in &args.items {
        match arg {
            Arg::Positional(value) => {
                *slots.get_mut(next)? = Some(value.clone());
                next += 1;
            }
            Arg::Named(key, value) => match positional_named(def, &key.to_string()) {
                Some(param) => {
                    let at = def.positional.iter().position(|p| p.name == param.name)?;
                    if slots[at].replace(meant_value(value, param.kind)).is_some() {
                        return None;
                    }
                    moved = true;
                }
                None => named.push(arg.clone()),
            },
        }
    }
    let given = slots.iter().rposition(Option::is_some).map_or(0, |last| last + 1);
    let mut items: Vec<Arg> =
        slots[..given].iter().cloned().map(|v| v.map(Arg::Positional)).collect::<Option<_>>()?;
    items.extend(named);
    moved.then_some(Args { span: args.span, items })
}

/// "`Conv2d` takes its filters and kernel by position", for arguments
/// named as in Keras or PyTorch.
fn named_by_position(def: &LayerDef, args: &Args) -> String {
    let name = def.name;
    let named: Vec<&str> = def
        .positional
        .iter()
        .filter(|param| {
            args.items.iter().any(|arg| {
                matches!(arg, Arg::Named(key, _) if positional_named(def, &key.to_string()).is_some_and(|p| p.name == param.name))
            })
        })
        .map(|param| param.name)
        .collect();
    let written = by_position(def, args).map_or(def.usage.to_string(), |args| {
        let (open, close) = def.brackets.pair();
        format!("{name}{open}{}{close}", args_text(&args.items))
    });
    let (list, names) = match named.split_last() {
        Some((last, [])) => (last.to_string(), "a name"),
        Some((last, rest)) => (format!("{} and {last}", rest.join(", ")), "names"),
        None => (String::new(), "names"),
    };
    format!("`{name}` takes its {list} by position, without {names}: write `{written}`")
}

/// "`5` is not an activation", with how to write two sizes as one when
/// that is what the argument before it was.
fn not_an_activation(def: &LayerDef, previous: Option<&Value>, value: &Value) -> String {
    let slot = def.positional.iter().position(|p| matches!(p.kind, Kind::Activation(_))).unwrap_or(0);
    let before: Vec<&str> = def.positional[..slot].iter().map(|p| p.name).collect();
    let pair = slot.checked_sub(1).map(|at| &def.positional[at]).filter(|p| matches!(p.kind, Kind::Pair));
    let hint = match (pair, previous) {
        (Some(param), Some(previous @ Value::Int { .. })) => format!(
            "; a {0} of {1} by {2} is one argument, `[{1}, {2}]`",
            param.name,
            value_text(previous),
            value_text(value)
        ),
        _ => String::new(),
    };
    format!(
        "`{}` is not an activation (after the {} of `{}` comes an activation, e.g. `Relu`, or nothing){hint}",
        value_text(value),
        before.join(" and "),
        def.name,
    )
}

/// `spec` with its `<..>` and `(..)` arguments swapped.
pub fn swap_brackets(spec: &LayerSpec) -> LayerSpec {
    LayerSpec { path: spec.path.clone(), angle: spec.call.clone(), call: spec.angle.clone() }
}

/// The names a value of `kind` may take, for values written as strings
/// or in another case.
fn names_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Activation(names) | Kind::Word(names) => names,
        Kind::Padding => &["Valid", "Same", "Causal"],
        Kind::Bool => &["true", "false"],
        _ => &[],
    }
}

/// The value meant for a parameter of `kind`, as Keras, PyTorch or Python
/// habits write it: a tuple for a list (`(3, 3)`), a string or another
/// case for a name (`"relu"`, `same`, `True`).
pub fn meant_value(value: &Value, kind: Kind) -> Value {
    let named = |written: &str, span: Span| {
        let name = names_of(kind).iter().find(|name| name.eq_ignore_ascii_case(written))?;
        Some(match *name {
            "true" | "false" => Value::Bool(*name == "true", span),
            _ => Value::Path(syn::Path::from(Ident::new(name, span))),
        })
    };
    match value {
        Value::Str(text, span) => named(text, *span).unwrap_or_else(|| value.clone()),
        Value::Path(path) => path
            .get_ident()
            .map(ToString::to_string)
            .and_then(|written| named(&written, path.span()))
            .unwrap_or_else(|| value.clone()),
        other => untupled(other),
    }
}

/// The arguments with every value as [`meant_value`] reads it.
pub fn meant_args(def: &LayerDef, args: &Args) -> Args {
    let mut position = 0;
    let items = args
        .items
        .iter()
        .map(|arg| match arg {
            Arg::Positional(value) => {
                let kind = def.positional.get(position).map(|p| p.kind);
                position += 1;
                Arg::Positional(kind.map_or_else(|| untupled(value), |kind| meant_value(value, kind)))
            }
            Arg::Named(key, value) => {
                let kind = def.options.iter().find(|p| key == p.name).map(|p| p.kind);
                Arg::Named(key.clone(), kind.map_or_else(|| untupled(value), |kind| meant_value(value, kind)))
            }
        })
        .collect();
    Args { span: args.span, items }
}

/// The value a tuple meant: `(3, 3)` is `[3, 3]`, `(32)` is `32`.
pub fn untupled(value: &Value) -> Value {
    match value {
        Value::Tuple(items, _) if items.len() == 1 => untupled(&items[0]),
        Value::Tuple(items, span) | Value::List(items, span) => {
            Value::List(items.iter().map(untupled).collect(), *span)
        }
        other => other.clone(),
    }
}

/// An activation written before the sizes it follows (`Dense<Relu, 32>`).
pub struct MisplacedActivation {
    /// The activation as written.
    pub span: Span,
    pub message: String,
    /// The arguments in their order, when every size before the
    /// activation is given.
    pub reordered: Option<Args>,
}

/// Finds an activation among the positional arguments before its own slot
/// (only an exact activation name counts: a `const` width may be called
/// anything).
pub fn misplaced_activation(def: &LayerDef, args: &Args) -> Option<MisplacedActivation> {
    let slot = def.positional.iter().position(|p| matches!(p.kind, Kind::Activation(_)))?;
    let Kind::Activation(names) = def.positional[slot].kind else {
        return None;
    };
    let positional: Vec<&Value> = args
        .items
        .iter()
        .filter_map(|arg| match arg {
            Arg::Positional(value) => Some(value),
            Arg::Named(..) => None,
        })
        .collect();
    // In any case (`relu`): a `const` width is never called that.
    let is_activation = |value: &Value| {
        let Value::Path(path) = value else { return false };
        let written = path.get_ident().map(ToString::to_string).unwrap_or_default();
        names.iter().any(|name| name.eq_ignore_ascii_case(&written))
    };
    let at = positional.iter().position(|value| is_activation(value)).filter(|&at| at < slot)?;
    let activation = meant_value(positional[at], def.positional[slot].kind);
    let sizes: Vec<Value> =
        positional.iter().enumerate().filter(|&(i, _)| i != at).map(|(_, v)| (*v).clone()).collect();
    let named = args.items.iter().filter(|arg| matches!(arg, Arg::Named(..))).cloned();
    let given = sizes.len().min(slot);
    let mut written: Vec<String> = sizes[..given].iter().map(value_text).collect();
    written.extend(def.positional[given..slot].iter().map(|p| p.name.to_uppercase()));
    written.push(value_text(&activation));
    written.extend(sizes[given..].iter().map(value_text));
    written.extend(named.clone().map(|arg| args_text(&[arg])));
    let (open, close) = def.brackets.pair();
    let before: Vec<&str> = def.positional[..slot].iter().map(|p| p.name).collect();
    let message = format!(
        "`{}` is the activation, which goes after the {}: write `{}{open}{}{close}`",
        value_text(&activation),
        before.join(" and "),
        def.name,
        written.join(", ")
    );
    let reordered = (sizes.len() >= slot).then(|| {
        let mut items: Vec<Arg> = sizes[..slot].iter().cloned().map(Arg::Positional).collect();
        items.push(Arg::Positional(activation.clone()));
        items.extend(sizes[slot..].iter().cloned().map(Arg::Positional));
        items.extend(named);
        Args { span: args.span, items }
    });
    Some(MisplacedActivation { span: activation.span(), message, reordered })
}

/// "unknown option `x` for `Layer`; did you mean `y`? (options: ..)".
pub fn unknown_option(key: &Ident, layer: &str, options: &[Param]) -> String {
    let names: Vec<&str> = options.iter().map(|p| p.name).collect();
    let key_text = key.to_string();
    let hint = nearest(&key_text, &names).map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
    let known = if names.is_empty() {
        format!("`{layer}` takes no named options")
    } else {
        format!("options: {}", names.join(", "))
    };
    format!("unknown option `{key}` for `{layer}`{hint} ({known})")
}

fn bind_value(bindings: &mut Bindings, param: &Param, value: &Value, layer: &str, errors: &mut Errors) {
    let meant = meant_value(value, param.kind);
    if value_text(&meant) != value_text(value) {
        let how = match value {
            Value::Tuple(items, _) if items.len() == 1 => ", without parentheses".to_string(),
            Value::Tuple(..) => ", in brackets: a list, not a tuple".to_string(),
            Value::Str(..) => ", a name without quotes".to_string(),
            other => format!(", not `{}`", value_text(other)),
        };
        // The check goes on with the value meant (see `check`): its own
        // mistakes are reported there.
        errors.at(
            value.span(),
            format!("write the {} of `{layer}` as `{}`{how}", param.name, value_text(&meant)),
        );
        return;
    }
    let span = value.span();
    let bound = match param.kind {
        Kind::Width => width(value, param.name, layer, bindings, errors).map(Bound::Width),
        Kind::Activation(names) => activation(value, names, errors).map(Bound::Activation),
        Kind::Fraction { below_one } => number(value, param.name, layer, errors)
            .filter(|&v| {
                // The value is an f32 in the expansion: 0.99999999 rounds to 1.
                let valid = v >= 0.0 && if below_one { v < 1.0 && (v as f32) < 1.0 } else { v <= 1.0 };
                if !valid {
                    let range = if below_one { "[0, 1)" } else { "[0, 1]" };
                    errors.at(span, format!("`{layer}`'s {} {v} is outside {range}", param.name));
                }
                valid
            })
            .map(Bound::Number),
        Kind::Positive => number(value, param.name, layer, errors)
            .filter(|&v| {
                let valid = v > 0.0 && (v as f32) > 0.0 && (v as f32).is_finite();
                if !valid {
                    let found = match v as f32 {
                        f if v > 0.0 && f == 0.0 => format!("{v:e}, which is 0 as an f32"),
                        f if v > 0.0 && f.is_infinite() => format!("{v:e}, beyond the largest f32"),
                        _ => format!("{v}"),
                    };
                    errors.at(
                        span,
                        format!("`{layer}`'s {} must be a positive f32, found {found}", param.name),
                    );
                }
                valid
            })
            .map(Bound::Number),
        Kind::Pair => pair(value, param.name, layer, bindings, errors).map(Bound::Pair),
        Kind::Padding => padding(value, layer, bindings, errors).map(Bound::Padding),
        Kind::Bool => match value {
            Value::Bool(b, _) => Some(Bound::Bool(*b)),
            other => {
                errors.at(other.span(), format!("`{}` is `true` or `false`", param.name));
                None
            }
        },
        Kind::Word(words) => word(value, words, layer, errors).map(Bound::Word),
        Kind::Axes => axes(value, param.name, bindings, errors).map(Bound::Axes),
        Kind::Layer => match value {
            Value::Layer(spec) => Some(Bound::Layer(spec.clone())),
            Value::Path(path) => {
                Some(Bound::Layer(Box::new(LayerSpec { path: path.clone(), angle: None, call: None })))
            }
            other => {
                errors.at(other.span(), format!("`{layer}` wraps a layer, e.g. `{layer}(Dense<1>)`"));
                None
            }
        },
    };
    if let Some(bound) = bound {
        bindings.values.insert(param.name, (bound, span));
    }
}

/// A positive integer within [`MAX_VALUES`], or a `const` name.
pub fn width(
    value: &Value,
    what: &str,
    layer: &str,
    bindings: &mut Bindings,
    errors: &mut Errors,
) -> Option<Dim> {
    match value {
        Value::Int { negative: true, text, span, .. } => {
            errors.at(*span, format!("the {what} of `{layer}` must be a positive integer, found {text}"));
            None
        }
        Value::Int { value: 0, span, .. } => {
            errors.at(*span, format!("the {what} of `{layer}` must be at least 1, found 0"));
            None
        }
        Value::Int { value, span, text, .. } if *value > MAX_VALUES => {
            errors.at(*span, format!("the {what} of `{layer}` is {text}, more values than memory can hold"));
            None
        }
        Value::Int { value, .. } => Some(Dim::Lit(*value as u64)),
        Value::Path(path) => {
            bindings.const_widths.push(path.clone());
            Some(Dim::Const(path.clone()))
        }
        other => {
            errors.at(
                other.span(),
                format!("the {what} of `{layer}` must be a positive integer or a `const` name"),
            );
            None
        }
    }
}

fn activation(value: &Value, names: &[&str], errors: &mut Errors) -> Option<Ident> {
    match value {
        Value::Path(path) if path.get_ident().is_some() => {
            let id = path.get_ident()?.clone();
            let text = id.to_string();
            if names.contains(&text.as_str()) {
                return Some(id);
            }
            let hint = nearest(&text, names).map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            errors.spanned(
                &id,
                format!("unknown activation `{id}`{hint} (expected one of {})", names.join(", ")),
            );
            None
        }
        other => {
            errors.at(other.span(), "expected an activation name, e.g. `Relu`");
            None
        }
    }
}

fn number(value: &Value, what: &str, layer: &str, errors: &mut Errors) -> Option<f64> {
    match value {
        Value::Float { value, .. } if value.is_finite() => Some(*value),
        Value::Int { value, negative, .. } => Some(if *negative { -(*value as f64) } else { *value as f64 }),
        other => {
            errors.at(other.span(), format!("the {what} of `{layer}` must be a number literal, e.g. `0.2`"));
            None
        }
    }
}

fn word(value: &Value, words: &[&str], layer: &str, errors: &mut Errors) -> Option<Ident> {
    if let Value::Path(path) = value {
        if let Some(id) = path.get_ident().filter(|id| words.contains(&id.to_string().as_str())) {
            return Some(id.clone());
        }
    }
    let expected = words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(" or ");
    let written = match value {
        Value::Path(path) => path.get_ident().map(ToString::to_string),
        _ => None,
    };
    let message = match written.as_deref().and_then(|w| Some((w, nearest(w, words)?))) {
        Some((w, near)) => format!("`{layer}` has no option `{w}`; did you mean `{near}`?"),
        None => format!("`{layer}` takes {expected} here"),
    };
    errors.at(value.span(), message);
    None
}

fn pair(
    value: &Value,
    what: &str,
    layer: &str,
    bindings: &mut Bindings,
    errors: &mut Errors,
) -> Option<[Dim; 2]> {
    match value {
        Value::List(items, span) => match items.as_slice() {
            [a, b] => {
                Some([width(a, what, layer, bindings, errors)?, width(b, what, layer, bindings, errors)?])
            }
            _ => {
                errors.at(*span, format!("the {what} of `{layer}` is one size or `[height, width]`"));
                None
            }
        },
        single => {
            let dim = width(single, what, layer, bindings, errors)?;
            Some([dim.clone(), dim])
        }
    }
}

/// A number of zeros (0 allowed): an integer or a `const` name.
fn zeros(value: &Value, layer: &str, bindings: &mut Bindings, errors: &mut Errors) -> Option<Dim> {
    match value {
        Value::Int { value: 0, negative: false, .. } => Some(Dim::Lit(0)),
        other => width(other, "padding", layer, bindings, errors),
    }
}

fn padding(value: &Value, layer: &str, bindings: &mut Bindings, errors: &mut Errors) -> Option<Padding> {
    match value {
        Value::Path(path) if path.is_ident("Valid") => Some(Padding::Valid),
        Value::Path(path) if path.is_ident("Same") => Some(Padding::Same),
        Value::Path(path) if path.is_ident("Causal") => Some(Padding::Causal),
        Value::Int { .. } | Value::Path(_) => {
            let p = zeros(value, layer, bindings, errors)?;
            Some(if p.literal() == Some(0) { Padding::Valid } else { Padding::Zeros([p.clone(), p]) })
        }
        Value::List(items, span) => match items.as_slice() {
            [a, b] => {
                let (a, b) = (zeros(a, layer, bindings, errors)?, zeros(b, layer, bindings, errors)?);
                Some(Padding::Zeros([a, b]))
            }
            _ => {
                errors
                    .at(*span, "a padding list is `[rows, columns]`: zeros above and below, left and right");
                None
            }
        },
        other => {
            errors.at(
                other.span(),
                "expected a padding: `Valid`, `Same`, `Causal` (1-D), a number of zeros or `[rows, columns]`",
            );
            None
        }
    }
}

fn axes(value: &Value, what: &str, bindings: &mut Bindings, errors: &mut Errors) -> Option<Vec<AxisValue>> {
    let Value::List(items, _) = value else {
        errors.at(value.span(), format!("`{what}` takes a list, e.g. `[_, 1, 16]`"));
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Underscore(_) => out.push(AxisValue::Own),
            other => {
                out.push(AxisValue::Size(width(other, "axis size", what, bindings, errors)?, other.span()))
            }
        }
    }
    Some(out)
}

/// The span of an argument, for problems found after binding.
pub fn span_of(bindings: &Bindings, param: &Param, fallback: Span) -> Span {
    bindings.span(param).unwrap_or(fallback)
}
