//! The provisionOnDemand request body: its types, their JSON form, and the lenient conversion
//! from what a PowerShell user passed (any key case, single objects for arrays, JSON strings).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::status::{Error, MgStatus, Result};

/// The body of `POST .../provisionOnDemand`: the parameters and any additional properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionOnDemandBody {
    /// The rule and the subjects to provision; Graph takes one entry in practice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<SynchronizationJobApplicationParameters>>,
    /// Members of the body other than `parameters`, kept with their original spelling.
    #[serde(flatten)]
    pub additional_properties: Map<String, Value>,
}

/// One entry of `parameters`: a synchronization rule and the subjects it applies to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationJobApplicationParameters {
    /// The id of a rule in the job's schema, such as `e1a2...#V2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    /// The users, groups, distinguished names or workers to provision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subjects: Option<Vec<SynchronizationJobSubject>>,
}

/// One object to provision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationJobSubject {
    /// An Entra object id, an AD distinguished name or a Workday worker id, sent verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// The case-sensitive type name: `User`, `user`, `Worker` or `Group`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_type_name: Option<String>,
    /// Objects to provision together with this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<SynchronizationLinkedObjects>,
}

/// The objects linked to a subject: its manager, and a group's members and owners.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationLinkedObjects {
    /// The subject's manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<Box<SynchronizationJobSubject>>,
    /// A group's members to provision with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<SynchronizationJobSubject>>,
    /// A group's owners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<SynchronizationJobSubject>>,
    /// Members other than the three above, kept with their original spelling.
    #[serde(flatten)]
    pub additional_properties: Map<String, Value>,
}

impl ProvisionOnDemandBody {
    /// Serializes the body to the compact UTF-8 JSON text sent on the wire.
    pub fn to_json(&self) -> String {
        // Serializing plain data into a String cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// Converts user input into body parts and collects the warnings for keys it drops.
///
/// Keys match case-insensitively. A JSON string stands for the value it encodes, a single object
/// where an array is expected becomes an array of one, and `null` members are left out.
#[derive(Debug, Default)]
pub struct BodyConverter {
    /// One line per key that was dropped, naming the key, its path and the closest known name.
    pub warnings: Vec<String>,
}

const PARAMETERS_KEYS: &[&str] = &["ruleId", "subjects"];
const SUBJECT_KEYS: &[&str] = &["objectId", "objectTypeName", "links"];
const MAX_DEPTH: usize = 64;

impl BodyConverter {
    /// Creates a converter with no warnings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Converts a whole body, as given to -BodyParameter.
    pub fn body(&mut self, input: &Value, path: &str) -> Result<ProvisionOnDemandBody> {
        let input = parse_if_text(input, path, Expect::Object)?;
        let object = match &input {
            Value::Object(object) => object,
            other => return Err(type_error(path, "an object with a 'parameters' member", other)),
        };
        check_duplicate_keys(object, path)?;

        let mut body = ProvisionOnDemandBody::default();
        for (key, value) in object {
            if key.eq_ignore_ascii_case("parameters") {
                body.parameters = self.parameters_list(value, &join(path, "parameters"))?;
            } else if let Some(value) = open_value(value, &join(path, key))? {
                body.additional_properties.insert(key.clone(), value);
            }
        }
        Ok(body)
    }

    /// Converts the value of -Parameters: a list of parameters entries, or one entry.
    pub fn parameters_list(
        &mut self,
        input: &Value,
        path: &str,
    ) -> Result<Option<Vec<SynchronizationJobApplicationParameters>>> {
        self.list(input, path, Self::parameters_entry)
    }

    /// Adds the value of -AdditionalProperties to a body; a `parameters` key is taken as -Parameters.
    pub fn merge_additional(
        &mut self,
        body: &mut ProvisionOnDemandBody,
        input: &Value,
        path: &str,
    ) -> Result<()> {
        let input = parse_if_text(input, path, Expect::Object)?;
        let object = match &input {
            Value::Null => return Ok(()),
            Value::Object(object) => object,
            other => return Err(type_error(path, "a dictionary of extra body members", other)),
        };
        check_duplicate_keys(object, path)?;

        for (key, value) in object {
            let member_path = join(path, key);
            if key.eq_ignore_ascii_case("parameters") {
                if body.parameters.is_some() {
                    return Err(Error::at(
                        MgStatus::InvalidInput,
                        &member_path,
                        format!("'{member_path}' repeats the parameters already given by -Parameters; give them once."),
                    ));
                }
                body.parameters = self.parameters_list(value, &member_path)?;
            } else if let Some(value) = open_value(value, &member_path)? {
                body.additional_properties.insert(key.clone(), value);
            }
        }
        Ok(())
    }

    fn parameters_entry(&mut self, input: &Value, path: &str) -> Result<SynchronizationJobApplicationParameters> {
        let object = self.closed_object(input, path, "a parameters entry with ruleId and subjects", PARAMETERS_KEYS)?;
        let mut entry = SynchronizationJobApplicationParameters::default();
        for (key, value) in &object {
            let member_path = join(path, canonical(key, PARAMETERS_KEYS));
            match canonical(key, PARAMETERS_KEYS) {
                "ruleId" => entry.rule_id = string_value(value, &member_path)?,
                "subjects" => entry.subjects = self.list(value, &member_path, Self::subject)?,
                _ => {}
            }
        }
        Ok(entry)
    }

    fn subject(&mut self, input: &Value, path: &str) -> Result<SynchronizationJobSubject> {
        let object = self.closed_object(input, path, "a subject with objectId and objectTypeName", SUBJECT_KEYS)?;
        let mut subject = SynchronizationJobSubject::default();
        for (key, value) in &object {
            let member_path = join(path, canonical(key, SUBJECT_KEYS));
            match canonical(key, SUBJECT_KEYS) {
                "objectId" => subject.object_id = string_value(value, &member_path)?,
                "objectTypeName" => subject.object_type_name = string_value(value, &member_path)?,
                "links" => subject.links = self.links(value, &member_path)?,
                _ => {}
            }
        }
        Ok(subject)
    }

    fn links(&mut self, input: &Value, path: &str) -> Result<Option<SynchronizationLinkedObjects>> {
        let input = parse_if_text(input, path, Expect::Object)?;
        let object = match &input {
            Value::Null => return Ok(None),
            Value::Object(object) => object,
            other => return Err(type_error(path, "an object with manager, members or owners", other)),
        };
        check_duplicate_keys(object, path)?;

        let mut links = SynchronizationLinkedObjects::default();
        for (key, value) in object {
            if key.eq_ignore_ascii_case("manager") {
                let member_path = join(path, "manager");
                let manager = parse_if_text(value, &member_path, Expect::Object)?;
                if !manager.is_null() {
                    links.manager = Some(Box::new(self.subject(&manager, &member_path)?));
                }
            } else if key.eq_ignore_ascii_case("members") {
                links.members = self.list(value, &join(path, "members"), Self::subject)?;
            } else if key.eq_ignore_ascii_case("owners") {
                links.owners = self.list(value, &join(path, "owners"), Self::subject)?;
            } else if let Some(value) = open_value(value, &join(path, key))? {
                links.additional_properties.insert(key.clone(), value);
            }
        }
        Ok(Some(links))
    }

    /// Reads a list of items; `null` is no list, and a single object is a list of one.
    fn list<T>(
        &mut self,
        input: &Value,
        path: &str,
        mut item: impl FnMut(&mut Self, &Value, &str) -> Result<T>,
    ) -> Result<Option<Vec<T>>> {
        let mut input = parse_if_text(input, path, Expect::Array)?;
        // PowerShell binds JSON text given to an array parameter as a list of one string.
        if let Value::Array(values) = &input {
            if let [Value::String(text)] = values.as_slice() {
                if text.trim_start().starts_with('[') {
                    input = parse_if_text(&values[0], path, Expect::Array)?;
                }
            }
        }
        match &input {
            Value::Null => Ok(None),
            Value::Array(values) => {
                let mut items = Vec::with_capacity(values.len());
                for (index, value) in values.iter().enumerate() {
                    items.push(item(self, value, &format!("{path}[{index}]"))?);
                }
                Ok(Some(items))
            }
            Value::Object(_) => Ok(Some(vec![item(self, &input, &format!("{path}[0]"))?])),
            other => Err(type_error(path, "a list of objects", other)),
        }
    }

    /// Reads an object of a closed type, dropping unknown keys with a warning.
    fn closed_object(&mut self, input: &Value, path: &str, expected: &str, known: &[&str]) -> Result<Map<String, Value>> {
        let input = parse_if_text(input, path, Expect::Object)?;
        let object = match input {
            Value::Object(object) => object,
            other => return Err(type_error(path, expected, &other)),
        };
        check_duplicate_keys(&object, path)?;

        let mut kept = Map::new();
        for (key, value) in object {
            if known.iter().any(|name| name.eq_ignore_ascii_case(&key)) {
                kept.insert(key, value);
            } else {
                self.warnings.push(dropped_key_warning(&key, path, known));
            }
        }
        Ok(kept)
    }
}

#[derive(Clone, Copy)]
enum Expect {
    Object,
    Array,
}

/// Parses a string as JSON where an object or an array is expected; other values pass through.
fn parse_if_text(input: &Value, path: &str, expect: Expect) -> Result<Value> {
    let Value::String(text) = input else {
        return Ok(input.clone());
    };
    let trimmed = text.trim_start();
    let looks_like_json = match expect {
        Expect::Object => trimmed.starts_with('{'),
        Expect::Array => trimmed.starts_with('[') || trimmed.starts_with('{'),
    };
    if !looks_like_json {
        let expected = match expect {
            Expect::Object => "an object or JSON text of one",
            Expect::Array => "a list or JSON text of one",
        };
        return Err(type_error(path, expected, input));
    }
    serde_json::from_str(text).map_err(|error| {
        Error::at(
            MgStatus::InvalidInput,
            path,
            format!("'{path}' is not valid JSON: {error}. Check the text near that position."),
        )
    })
}

/// Converts an id-like value: strings as they are, integers as decimal text, `null` as absent.
fn string_value(value: &Value, path: &str) -> Result<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Number(number) if number.is_i64() || number.is_u64() => Ok(Some(number.to_string())),
        other => Err(type_error(path, "a string", other)),
    }
}

/// Keeps a member of an open type as given, leaving out `null`.
fn open_value(value: &Value, path: &str) -> Result<Option<Value>> {
    check_depth(value, path, 0)?;
    Ok(if value.is_null() { None } else { Some(value.clone()) })
}

fn check_depth(value: &Value, path: &str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::at(
            MgStatus::InvalidInput,
            path,
            format!("'{path}' is nested more than {MAX_DEPTH} levels deep; flatten the value."),
        ));
    }
    match value {
        Value::Array(values) => values.iter().try_for_each(|item| check_depth(item, path, depth + 1)),
        Value::Object(object) => object.values().try_for_each(|item| check_depth(item, path, depth + 1)),
        _ => Ok(()),
    }
}

fn check_duplicate_keys(object: &Map<String, Value>, path: &str) -> Result<()> {
    let keys: Vec<&String> = object.keys().collect();
    for (index, key) in keys.iter().enumerate() {
        if let Some(twin) = keys[index + 1..].iter().find(|other| other.eq_ignore_ascii_case(key)) {
            let at = if path.is_empty() { "the body".to_string() } else { format!("'{path}'") };
            return Err(Error::at(
                MgStatus::InvalidInput,
                path,
                format!("{at} has both '{key}' and '{twin}'; keys match without regard to case, so keep one."),
            ));
        }
    }
    Ok(())
}

fn canonical<'a>(key: &str, known: &[&'a str]) -> &'a str {
    known.iter().copied().find(|name| name.eq_ignore_ascii_case(key)).unwrap_or("")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Describes a JSON value briefly for an error message, quoting strings.
pub(crate) fn describe(value: &Value) -> String {
    let text = match value {
        Value::Null => return "null".into(),
        Value::Bool(flag) => return flag.to_string(),
        Value::Number(number) => return number.to_string(),
        Value::String(text) => format!("'{text}'"),
        Value::Array(values) => return format!("a list of {} items", values.len()),
        Value::Object(_) => return "an object".into(),
    };
    shorten(&text, 80)
}

fn type_error(path: &str, expected: &str, actual: &Value) -> Error {
    Error::at(
        MgStatus::InvalidInput,
        path,
        format!("Invalid value for '{path}': expected {expected}, got {}.", describe(actual)),
    )
}

fn dropped_key_warning(key: &str, path: &str, known: &[&str]) -> String {
    let mut warning = format!("Dropped key '{key}' at '{path}': Graph does not accept it there");
    if let Some(suggestion) = closest_name(key, known) {
        warning.push_str(&format!(". Did you mean '{suggestion}'?"));
    } else {
        warning.push_str(&format!("; the known keys are {}.", known.join(", ")));
    }
    warning
}

/// Returns the known name closest to `key`, if one is close enough to be a likely typo.
pub(crate) fn closest_name<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let key = key.to_ascii_lowercase();
    known
        .iter()
        .map(|name| {
            let lower = name.to_ascii_lowercase();
            let distance = if lower.starts_with(&key) || key.starts_with(&lower) {
                lower.len().abs_diff(key.len()).min(3)
            } else {
                levenshtein(&key, &lower)
            };
            (distance, *name)
        })
        .filter(|(distance, name)| *distance <= (name.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

fn levenshtein(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, left_char) in left.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, right_char) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(left_char != *right_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[right.len()]
}

/// Cuts text to at most `max` characters, marking the cut with an ellipsis.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn convert_body(input: Value) -> (Result<ProvisionOnDemandBody>, Vec<String>) {
        let mut converter = BodyConverter::new();
        let body = converter.body(&input, "BodyParameter");
        (body, converter.warnings)
    }

    #[test]
    fn keys_match_any_case_and_go_out_camel_case() {
        let (body, warnings) = convert_body(json!({
            "PARAMETERS": [{ "RuleId": "r1", "SUBJECTS": [{ "objectid": "o1", "ObjectTypeName": "user" }] }]
        }));

        let wire: Value = serde_json::from_str(&body.unwrap().to_json()).unwrap();
        assert_eq!(wire, json!({ "parameters": [{ "ruleId": "r1", "subjects": [{ "objectId": "o1", "objectTypeName": "user" }] }] }));
        assert!(warnings.is_empty());
    }

    #[test]
    fn single_objects_become_arrays_of_one() {
        let (body, _) = convert_body(json!({
            "parameters": { "ruleId": "r1", "subjects": { "objectId": "g1", "objectTypeName": "Group",
                "links": { "members": { "objectId": "u1", "objectTypeName": "User" } } } }
        }));

        let wire: Value = serde_json::from_str(&body.unwrap().to_json()).unwrap();
        assert_eq!(wire["parameters"][0]["subjects"][0]["links"]["members"][0]["objectId"], "u1");
        assert!(wire["parameters"].is_array());
        assert!(wire["parameters"][0]["subjects"].is_array());
    }

    #[test]
    fn unknown_subject_key_dropped_with_suggestion() {
        let (body, warnings) = convert_body(json!({
            "parameters": [{ "ruleId": "r1", "subjects": [{ "objectId": "o1", "objectType": "User" }] }]
        }));

        let wire: Value = serde_json::from_str(&body.unwrap().to_json()).unwrap();
        assert_eq!(wire["parameters"][0]["subjects"][0], json!({ "objectId": "o1" }));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("'objectType'"), "{}", warnings[0]);
        assert!(warnings[0].contains("BodyParameter.parameters[0].subjects[0]"), "{}", warnings[0]);
        assert!(warnings[0].contains("Did you mean 'objectTypeName'?"), "{}", warnings[0]);
    }

    #[test]
    fn open_members_keep_their_spelling() {
        let (body, warnings) = convert_body(json!({
            "Trace_Tag": "nightly",
            "parameters": [{ "ruleId": "r", "subjects": [{ "objectId": "g", "objectTypeName": "Group",
                "links": { "CustomHint": "keep", "Members": [] } }] }]
        }));

        let wire: Value = serde_json::from_str(&body.unwrap().to_json()).unwrap();
        assert_eq!(wire["Trace_Tag"], "nightly");
        assert_eq!(wire["parameters"][0]["subjects"][0]["links"]["CustomHint"], "keep");
        assert_eq!(wire["parameters"][0]["subjects"][0]["links"]["members"], json!([]));
        assert!(warnings.is_empty());
    }

    #[test]
    fn values_go_out_verbatim() {
        let (body, _) = convert_body(json!({
            "parameters": [{ "ruleId": "", "subjects": [
                { "objectId": "CN=Doe\\, Jane,OU=Staff", "objectTypeName": "user" },
                { "objectId": "000123", "objectTypeName": "Worker" },
                { "objectId": 42, "objectTypeName": "User" },
                { "objectId": "Zoë Ångström", "objectTypeName": null }
            ] }]
        }));

        let text = body.unwrap().to_json();
        assert!(text.contains(r#""objectId":"CN=Doe\\, Jane,OU=Staff""#), "{text}");
        assert!(text.contains(r#""ruleId":"""#), "{text}");
        let wire: Value = serde_json::from_str(&text).unwrap();
        let subjects = &wire["parameters"][0]["subjects"];
        assert_eq!(subjects[1]["objectId"], "000123");
        assert_eq!(subjects[2]["objectId"], "42");
        assert_eq!(subjects[3]["objectId"], "Zoë Ångström");
        assert!(subjects[3].get("objectTypeName").is_none());
    }

    #[test]
    fn json_text_is_parsed_where_objects_are_expected() {
        let (body, _) = convert_body(json!(
            r#"{"parameters":[{"ruleId":"a9","subjects":[{"objectId":"000123","objectTypeName":"Worker"}]}]}"#
        ));

        let wire: Value = serde_json::from_str(&body.unwrap().to_json()).unwrap();
        assert_eq!(wire["parameters"][0]["subjects"][0]["objectId"], "000123");
    }

    #[test]
    fn json_array_text_in_a_list_of_one_is_the_list() {
        let mut converter = BodyConverter::new();
        let text = r#"[{"ruleId":"r","subjects":[{"objectId":"o","objectTypeName":"User"}]}]"#;

        let parameters = converter.parameters_list(&json!([text]), "Parameters").unwrap().unwrap();

        assert_eq!(parameters.len(), 1);
        assert_eq!(parameters[0].rule_id.as_deref(), Some("r"));
    }

    #[test]
    fn invalid_json_text_names_the_field() {
        let (body, _) = convert_body(json!("{\"parameters\": [}"));

        let error = body.unwrap_err();
        assert_eq!(error.status, MgStatus::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("BodyParameter"));
        assert!(error.message.contains("is not valid JSON"), "{}", error.message);
    }

    #[test]
    fn wrong_value_type_names_field_and_value() {
        let (body, _) = convert_body(json!({ "parameters": [{ "ruleId": true }] }));

        let error = body.unwrap_err();
        assert_eq!(error.field.as_deref(), Some("BodyParameter.parameters[0].ruleId"));
        assert!(error.message.contains("got true"), "{}", error.message);
    }

    #[test]
    fn case_insensitive_duplicate_keys_rejected() {
        let (body, _) = convert_body(json!({ "parameters": [{ "ruleId": "a", "RuleId": "b" }] }));

        let error = body.unwrap_err();
        assert!(error.message.contains("'ruleId' and 'RuleId'"), "{}", error.message);
    }

    #[test]
    fn array_body_rejected() {
        let (body, _) = convert_body(json!([{ "parameters": [] }]));

        assert!(body.unwrap_err().message.contains("expected an object"));
    }

    #[test]
    fn additional_parameters_key_conflicts_with_parameters() {
        let mut converter = BodyConverter::new();
        let mut body = ProvisionOnDemandBody {
            parameters: converter.parameters_list(&json!([{ "ruleId": "r" }]), "Parameters").unwrap(),
            ..Default::default()
        };

        let error = converter.merge_additional(&mut body, &json!({ "Parameters": [] }), "AdditionalProperties").unwrap_err();
        assert!(error.message.contains("give them once"), "{}", error.message);
    }

    #[test]
    fn closest_name_suggests_typos_only() {
        assert_eq!(closest_name("objectType", SUBJECT_KEYS), Some("objectTypeName"));
        assert_eq!(closest_name("rulid", PARAMETERS_KEYS), Some("ruleId"));
        assert_eq!(closest_name("subject", PARAMETERS_KEYS), Some("subjects"));
        assert_eq!(closest_name("colour", PARAMETERS_KEYS), None);
    }
}
