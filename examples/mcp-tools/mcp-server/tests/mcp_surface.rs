//! The MCP surface (what `initialize` and `tools/list` show a client) is a reviewed file,
//! `mcp-server/mcp-surface.json`: when the running server shows anything else, this test fails
//! with the changes, each classified (breaking, additive, other). After review, write the file
//! again with `MCP_SURFACE=overwrite cargo test --test mcp_surface` and commit it.
//!
//! With `MCP_SURFACE_BASE=<file>` (another surface, e.g. a pull request's base) the changes from
//! it are also appended as Markdown to `MCP_SURFACE_REPORT` (CI: the job summary).
#![allow(
    clippy::disallowed_methods,
    reason = "synchronous test code, never on the async runtime: the policy forbids blocking I/O in async code"
)]

mod mcp_client;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use mcp_client::initialized;
use serde_json::{Map, Value, json};

/// The reviewed surface.
const SURFACE_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/mcp-surface.json");

/// The surface the server shows: its name, capabilities and instructions, and every tool by
/// name (its version is left out: a release changes it and nothing a client relies on).
fn live_surface() -> std::io::Result<Value> {
    let (mut session, init) = initialized()?;
    let listed = session.request(1, "tools/list", &json!({}))?;
    session.close(Duration::from_secs(10))?;
    let init = &init["result"];
    let mut tools = listed["result"]["tools"].as_array().cloned().unwrap_or_default();
    tools.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Ok(json!({
        "server": {
            "capabilities": init["capabilities"],
            "instructions": init["instructions"],
            "name": init["serverInfo"]["name"],
        },
        "tools": tools,
    }))
}

#[test]
fn the_server_shows_the_reviewed_surface() {
    let live = live_surface().unwrap();
    assert!(live["tools"].as_array().is_some_and(|tools| !tools.is_empty()), "{live}");
    if let (Some(base), Some(report)) =
        (std::env::var_os("MCP_SURFACE_BASE"), std::env::var_os("MCP_SURFACE_REPORT"))
    {
        let summary = match std::fs::read_to_string(&base) {
            Ok(text) => markdown(&classify(&serde_json::from_str(&text).unwrap(), &live)),
            Err(_) => "No surface file on the base: the server is new there.\n".to_owned(),
        };
        let mut file = std::fs::OpenOptions::new().append(true).create(true).open(report).unwrap();
        writeln!(file, "### MCP surface against the base\n\n{summary}").unwrap();
    }
    if std::env::var("MCP_SURFACE").is_ok_and(|mode| mode == "overwrite") {
        let text = serde_json::to_string_pretty(&live).unwrap() + "\n";
        std::fs::write(SURFACE_FILE, text).unwrap();
        return;
    }
    // No file yet: every tool is new.
    let reviewed: Value = if Path::new(SURFACE_FILE).exists() {
        serde_json::from_str(&std::fs::read_to_string(SURFACE_FILE).unwrap()).unwrap()
    } else {
        json!({})
    };
    assert!(
        reviewed == live,
        "the MCP surface is not mcp-server/mcp-surface.json:\n\n{}\nReview the changes, then \
         write the file: MCP_SURFACE=overwrite cargo test --test mcp_surface",
        markdown(&classify(&reviewed, &live))
    );
}

// --- classifying a change --------------------------------------------------------------------

/// What a change does to a client written against the old surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Impact {
    /// A call that worked may now fail, or an answer lacks what it had: a tool, an argument or
    /// an argument's accepted values gone, an argument now required, an output field gone or
    /// optional, an output type widened.
    Breaking,
    /// Every call that worked still does: a tool, an optional argument or an output field added,
    /// an argument's accepted values widened.
    Additive,
    /// Neither: text a model reads (descriptions, instructions) and anything else to review.
    Other,
}

/// One classified change, in words.
type Change = (Impact, String);

/// Which side of a call a schema describes.
#[derive(Clone, Copy)]
enum Side {
    Input,
    Output,
}

/// Every change from `old` to `new` (surfaces as `live_surface` builds them), in order.
fn classify(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let empty = Map::new();
    let old_server = old["server"].as_object().unwrap_or(&empty);
    let new_server = new["server"].as_object().unwrap_or(&empty);
    for key in
        old_server.keys().chain(new_server.keys().filter(|key| !old_server.contains_key(*key)))
    {
        if old_server.get(key) != new_server.get(key) {
            changes.push((Impact::Other, format!("server `{key}` changed")));
        }
    }
    let (old_tools, new_tools) = (tools_by_name(old), tools_by_name(new));
    for (name, old_tool) in &old_tools {
        match new_tools.get(name) {
            None => changes.push((Impact::Breaking, format!("tool `{name}` removed"))),
            Some(new_tool) => tool_changes(name, old_tool, new_tool, &mut changes),
        }
    }
    for name in new_tools.keys().filter(|name| !old_tools.contains_key(*name)) {
        changes.push((Impact::Additive, format!("tool `{name}` added")));
    }
    changes.sort();
    changes
}

/// A surface's tools by name.
fn tools_by_name(surface: &Value) -> BTreeMap<&str, &Value> {
    let tools = surface["tools"].as_array().into_iter().flatten();
    tools.map(|tool| (tool["name"].as_str().unwrap_or_default(), tool)).collect()
}

/// The changes of one tool; whatever else in it changed is named as such.
fn tool_changes(name: &str, old: &Value, new: &Value, changes: &mut Vec<Change>) {
    let before = changes.len();
    let input = Schemas {
        tool: name,
        side: Side::Input,
        roots: (&old["inputSchema"], &new["inputSchema"]),
    };
    input.changes("", input.roots, changes);
    match (old.get("outputSchema"), new.get("outputSchema")) {
        (Some(_), None) => {
            changes.push((Impact::Breaking, format!("`{name}`: structured output removed")));
        }
        (None, Some(_)) => {
            changes.push((Impact::Additive, format!("`{name}`: structured output added")));
        }
        (Some(old_schema), Some(new_schema)) => {
            let output =
                Schemas { tool: name, side: Side::Output, roots: (old_schema, new_schema) };
            output.changes("", output.roots, changes);
        }
        (None, None) => {}
    }
    for key in ["title", "description", "annotations"] {
        if old.get(key) != new.get(key) {
            changes.push((Impact::Other, format!("`{name}`: {key} changed")));
        }
    }
    if changes.len() == before && old != new {
        changes.push((Impact::Other, format!("`{name}` changed")));
    }
}

/// The old and new schema of one side of a tool, compared field by field.
struct Schemas<'a> {
    tool: &'a str,
    side: Side,
    /// The whole schemas, where a `$ref` points into `$defs`.
    roots: (&'a Value, &'a Value),
}

impl Schemas<'_> {
    /// The changes between the schemas of `field` (a dotted path; empty for the whole input or
    /// output), recursively.
    fn changes(&self, field: &str, (old, new): (&Value, &Value), changes: &mut Vec<Change>) {
        let (old, new) = (resolve(old, self.roots.0), resolve(new, self.roots.1));
        let label = self.label(field);
        // Accepting less breaks a caller; answering with more breaks a reader.
        let (tighter, looser) = match self.side {
            Side::Input => (Impact::Breaking, Impact::Additive),
            Side::Output => (Impact::Other, Impact::Breaking),
        };
        let kinds = ["string", "number", "integer", "boolean", "array", "object", "null"];
        if kinds.iter().any(|kind| accepts(old, kind) && !accepts(new, kind)) {
            changes.push((
                tighter,
                format!("{label}: type narrowed from {} to {}", old["type"], new["type"]),
            ));
        } else if kinds.iter().any(|kind| !accepts(old, kind) && accepts(new, kind)) {
            changes.push((
                looser,
                format!("{label}: type widened from {} to {}", old["type"], new["type"]),
            ));
        }
        if matches!(self.side, Side::Input) {
            limit_changes(&label, old, new, changes);
        }
        let empty = Map::new();
        let old_fields = old["properties"].as_object().unwrap_or(&empty);
        let new_fields = new["properties"].as_object().unwrap_or(&empty);
        let path_of =
            |name: &str| if field.is_empty() { name.to_owned() } else { format!("{field}.{name}") };
        for (name, old_field) in old_fields {
            let path = path_of(name);
            let Some(new_field) = new_fields.get(name) else {
                changes.push((Impact::Breaking, format!("{} removed", self.label(&path))));
                continue;
            };
            let impact = match (required(old, name), required(new, name), self.side) {
                (false, true, Side::Input) => Some((Impact::Breaking, "now required")),
                (true, false, Side::Input) => Some((Impact::Additive, "now optional")),
                (true, false, Side::Output) => Some((Impact::Breaking, "may now be absent")),
                (false, true, Side::Output) => Some((Impact::Additive, "now always present")),
                _ => None,
            };
            if let Some((impact, what)) = impact {
                changes.push((impact, format!("{} {what}", self.label(&path))));
            }
            self.changes(&path, (old_field, new_field), changes);
        }
        for name in new_fields.keys().filter(|name| !old_fields.contains_key(*name)) {
            let path = path_of(name);
            let impact = match (self.side, required(new, name)) {
                (Side::Input, true) => (Impact::Breaking, "added, required"),
                (Side::Input, false) => (Impact::Additive, "added, optional"),
                (Side::Output, _) => (Impact::Additive, "added"),
            };
            changes.push((impact.0, format!("{} {}", self.label(&path), impact.1)));
        }
        if old.get("items").is_some() || new.get("items").is_some() {
            self.changes(&format!("{field}[]"), (&old["items"], &new["items"]), changes);
        }
        if old.get("description") != new.get("description") && !field.is_empty() {
            changes.push((Impact::Other, format!("{label}: description changed")));
        }
    }

    /// How a change to `field` names it.
    fn label(&self, field: &str) -> String {
        match (self.side, field) {
            (Side::Input, "") => format!("`{}` arguments", self.tool),
            (Side::Output, "") => format!("`{}` output", self.tool),
            (Side::Input, _) => format!("`{}` argument `{field}`", self.tool),
            (Side::Output, _) => format!("`{}` output field `{field}`", self.tool),
        }
    }
}

/// Whether `schema` (an object's) requires the field `name`.
fn required(schema: &Value, name: &str) -> bool {
    schema["required"].as_array().is_some_and(|names| names.iter().any(|n| n == name))
}

/// `schema`, or what its `$ref` into the `$defs` of `root` points at.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    schema["$ref"]
        .as_str()
        .and_then(|reference| reference.strip_prefix("#/$defs/"))
        .map_or(schema, |name| &root["$defs"][name])
}

/// Whether `schema` accepts values of the JSON type `kind` (an `integer` is a `number`; no
/// `type` accepts any).
fn accepts(schema: &Value, kind: &str) -> bool {
    let listed = |name: &str| match &schema["type"] {
        Value::String(one) => one == name,
        Value::Array(many) => many.iter().any(|item| item == name),
        _ => true,
    };
    listed(kind) || (kind == "integer" && listed("number"))
}

/// Limits on an argument's values: a lower maximum or a higher minimum turns calls away.
fn limit_changes(path: &str, old: &Value, new: &Value, changes: &mut Vec<Change>) {
    let upper = ["maxLength", "maxItems", "maximum", "exclusiveMaximum"];
    let lower = ["minLength", "minItems", "minimum", "exclusiveMinimum"];
    for key in upper.into_iter().chain(lower) {
        let (before, after) = (old[key].as_f64(), new[key].as_f64());
        let is_upper = upper.contains(&key);
        let tighter = match (before, after) {
            (None, None) => continue,
            (Some(b), Some(a)) if (b - a).abs() < f64::EPSILON => continue,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(b), Some(a)) => (a < b) == is_upper,
        };
        let impact = if tighter { Impact::Breaking } else { Impact::Additive };
        let verb = if tighter { "narrowed" } else { "widened" };
        changes.push((impact, format!("{path}: {key} {verb} ({} -> {})", old[key], new[key])));
    }
    let values = |schema: &Value| schema["enum"].as_array().cloned();
    if let (Some(before), Some(after)) = (values(old), values(new)) {
        if before.iter().any(|value| !after.contains(value)) {
            changes.push((Impact::Breaking, format!("{path}: accepted values removed")));
        }
        if after.iter().any(|value| !before.contains(value)) {
            changes.push((Impact::Additive, format!("{path}: accepted values added")));
        }
    }
}

/// The changes as a Markdown table with a one-line count.
fn markdown(changes: &[Change]) -> String {
    let count = |impact| changes.iter().filter(|(i, _)| *i == impact).count();
    let mut text = format!(
        "{} breaking, {} additive, {} other\n",
        count(Impact::Breaking),
        count(Impact::Additive),
        count(Impact::Other)
    );
    if !changes.is_empty() {
        text.push_str("\n| impact | change |\n|---|---|\n");
        for (impact, what) in changes {
            let _ = writeln!(text, "| {} | {what} |", format!("{impact:?}").to_lowercase());
        }
    }
    text
}

#[test]
fn classifies_each_kind_of_change() {
    /// A surface with one tool `t`: its input fields and required ones, its output fields.
    fn surface(input: &Value, required: &[&str], output: &Value) -> Value {
        json!({"server": {"name": "s"}, "tools": [{
            "name": "t",
            "description": "A tool.",
            "inputSchema": {"type": "object", "properties": input, "required": required},
            "outputSchema": {"type": "object", "properties": output, "required": ["hits"]},
        }]})
    }
    let text = json!({"type": "string", "maxLength": 10});
    let hits = json!({"hits": {"type": "array", "items": {"type": "string"}}});
    let base = surface(&json!({"q": text}), &["q"], &hits);
    let cases = [
        (surface(&json!({"q": text}), &["q"], &hits), vec![]),
        (
            json!({"server": {"name": "s"}, "tools": []}),
            vec![(Impact::Breaking, "tool `t` removed")],
        ),
        (
            surface(&json!({"q": text, "limit": {"type": "integer"}}), &["q", "limit"], &hits),
            vec![(Impact::Breaking, "`t` argument `limit` added, required")],
        ),
        (
            surface(&json!({"q": text, "limit": {"type": "integer"}}), &["q"], &hits),
            vec![(Impact::Additive, "`t` argument `limit` added, optional")],
        ),
        (
            surface(&json!({"q": {"type": "integer", "maxLength": 10}}), &["q"], &hits),
            vec![(
                Impact::Breaking,
                "`t` argument `q`: type narrowed from \"string\" to \"integer\"",
            )],
        ),
        (
            surface(&json!({"q": {"type": ["string", "null"], "maxLength": 10}}), &["q"], &hits),
            vec![(
                Impact::Additive,
                "`t` argument `q`: type widened from \"string\" to [\"string\",\"null\"]",
            )],
        ),
        (
            surface(&json!({"q": {"type": "string", "maxLength": 5}}), &["q"], &hits),
            vec![(Impact::Breaking, "`t` argument `q`: maxLength narrowed (10 -> 5)")],
        ),
        (
            surface(&json!({"q": text}), &["q"], &json!({})),
            vec![(Impact::Breaking, "`t` output field `hits` removed")],
        ),
        (
            surface(
                &json!({"q": text}),
                &["q"],
                &json!({"hits": {"type": "array", "items": {"type": ["string", "null"]}}}),
            ),
            vec![(
                Impact::Breaking,
                "`t` output field `hits[]`: type widened from \"string\" to [\"string\",\"null\"]",
            )],
        ),
    ];
    for (new, expected) in cases {
        let expected: Vec<Change> =
            expected.into_iter().map(|(impact, what)| (impact, what.to_owned())).collect();
        assert_eq!(classify(&base, &new), expected, "{new}");
    }
    let mut renamed = base.clone();
    renamed["tools"][0]["name"] = json!("u");
    let both = [
        (Impact::Breaking, "tool `t` removed".to_owned()),
        (Impact::Additive, "tool `u` added".to_owned()),
    ];
    assert_eq!(classify(&base, &renamed), both);
    let mut described = base.clone();
    described["tools"][0]["description"] = json!("Another tool.");
    assert_eq!(
        classify(&base, &described),
        [(Impact::Other, "`t`: description changed".to_owned())]
    );
    assert!(
        markdown(&both).starts_with("1 breaking, 1 additive, 0 other\n\n| impact | change |\n")
    );
}
