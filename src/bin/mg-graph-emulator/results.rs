//! Builds the `stringKeyStringValuePair` that answers a valid provisionOnDemand request, from the
//! tenant and what the job already provisioned.
//!
//! Outcomes, in the order they are decided:
//! - the subject is not in the tenant: `Failure` with `SourceObjectNotFound` and a failed Import step;
//! - the subject is disabled or not assigned to the job: `Skipped` with `NotEffectivelyEntitled`;
//! - the job's scoping filter leaves it out: `Skipped` with `NotEffectivelyEntitled`, and the
//!   Scoping step names the filter;
//! - the job provisioned it before: `Skipped` with `RedundantExport`, action `Other`;
//! - otherwise: `Success`, action `Create`, and the job remembers it.
//!
//! A group gives `Success` with the value `{}` and records the group and the members sent with it.
//! Cross-tenant jobs answer in shape B (the StatusInfo type name as key, a JSON array as value);
//! all others in shape A (a JSON result as key, one JSON object as value).

use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};

use crate::clock;
use crate::fixture::{Application, Job, JobKind, Rule};
use crate::state::{Emulator, Provisioned};

/// The key of a shape B answer.
pub const SHAPE_B_KEY: &str =
    "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo";

/// The `@odata.context` that leaks from the synchronization backend.
pub const SYNCFABRIC_CONTEXT: &str =
    "https://syncfabric.windowsazure.com/api/$metadata#microsoft.synchronization.stringKeyStringValuePair";

/// One subject of a request, already checked against the rule.
#[derive(Debug, Clone)]
pub struct SubjectRequest {
    /// The subject's `objectId`.
    pub object_id: String,
    /// The subject's `objectTypeName`, exactly as sent.
    pub object_type_name: String,
    /// The `objectId`s of `links.members` (groups only).
    pub member_ids: Vec<String>,
}

/// Where the request was sent and what it names.
pub struct Target<'a> {
    /// `beta` or `v1.0`, as in the path.
    pub version: &'a str,
    /// The application (also when the path named its service principal).
    pub application: &'a Application,
    /// The job.
    pub job: &'a Job,
    /// The rule the request names.
    pub rule: &'a Rule,
}

/// The three members of a successful answer.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `@odata.context`.
    pub odata_context: String,
    /// `key`.
    pub key: String,
    /// `value`.
    pub value: String,
}

impl Outcome {
    /// The answer body.
    pub fn to_body(&self) -> String {
        json!({ "@odata.context": self.odata_context, "key": self.key, "value": self.value })
            .to_string()
    }
}

/// Provisions one subject and describes what happened.
pub fn provision(emulator: &Emulator, target: &Target<'_>, subject: &SubjectRequest) -> Outcome {
    let kind = target.job.kind();
    if target.rule.is_group_rule() {
        return provision_group(emulator, target, subject);
    }

    let scenario = Scenario::new(kind, target.rule, &subject.object_type_name);
    let run = Run::start();
    let record = match find_source(
        emulator,
        kind,
        &subject.object_id,
        &emulator.tenant.initial_domain,
    ) {
        None => not_found(&scenario, run, subject),
        Some(source) => {
            let assigned = target.job.scope.is_assigned(&subject.object_id);
            if !source.active || !assigned {
                not_entitled(&scenario, run, subject, &source, assigned)
            } else if target.job.scope.is_filtered_out(&subject.object_id) {
                filtered_out(&scenario, run, subject, &source, &target.job.scoping_filter)
            } else {
                let application = &target.application.id;
                match emulator.provision(application, &target.job.id, &subject.object_id) {
                    Provisioned::Before(target_id) => {
                        redundant(&scenario, run, subject, &source, &target_id)
                    }
                    Provisioned::New(target_id) => {
                        created(&scenario, run, subject, &source, &target_id)
                    }
                }
            }
        }
    };
    answer(target.version, kind, record, false)
}

/// A group: Success with `{}`, and the group and its given members count as provisioned.
fn provision_group(emulator: &Emulator, target: &Target<'_>, subject: &SubjectRequest) -> Outcome {
    let kind = target.job.kind();
    let scenario = Scenario::new(kind, target.rule, &subject.object_type_name);
    let run = Run::start();
    let group = emulator.tenant.group(&subject.object_id);
    let group = match group {
        None => {
            return answer(
                target.version,
                kind,
                not_found(&scenario, run, subject),
                true,
            )
        }
        Some(group) => group,
    };
    if !target.job.scope.is_assigned(&group.id) {
        let source = Source {
            reportable: group.display_name.clone(),
            display: group.display_name.clone(),
            active: true,
            import_details: details(&[
                ("objectId", &group.id),
                ("displayName", &group.display_name),
            ]),
            matching_details: Map::new(),
            created_name: group.display_name.clone(),
            modified: Vec::new(),
        };
        return answer(
            target.version,
            kind,
            not_entitled(&scenario, run, subject, &source, false),
            true,
        );
    }

    let application = &target.application.id;
    let job = &target.job.id;
    // Whether each was provisioned before does not change a group's answer.
    emulator.provision(application, job, &group.id);
    for member in &subject.member_ids {
        emulator.provision(application, job, member);
    }
    Outcome {
        odata_context: SYNCFABRIC_CONTEXT.to_string(),
        key: json!({ "result": "Success", "details": {} }).to_string(),
        value: "{}".to_string(),
    }
}

/// Wraps a result record in the answer shape the job's kind uses.
fn answer(version: &str, kind: JobKind, record: Record, group: bool) -> Outcome {
    let odata_context = if kind == JobKind::CloudSync || group {
        SYNCFABRIC_CONTEXT.to_string()
    } else {
        format!("https://graph.microsoft.com/{version}/$metadata#microsoft.graph.stringKeyStringValuePair")
    };
    if kind == JobKind::CrossTenant {
        return Outcome {
            odata_context,
            key: SHAPE_B_KEY.to_string(),
            value: Value::Array(vec![record.value]).to_string(),
        };
    }
    Outcome {
        odata_context,
        key: record.key.to_string(),
        value: record.value.to_string(),
    }
}

/// The names a result uses for one kind of job and rule.
struct Scenario {
    kind: JobKind,
    /// The word step descriptions use for the source object (`User`, `Worker`, `Group`).
    noun: &'static str,
    /// `sourceIdentity.type`: the objectTypeName as sent.
    source_type: String,
    /// `targetIdentity.type`.
    target_type: &'static str,
    source_system: String,
    target_system: String,
}

impl Scenario {
    fn new(kind: JobKind, rule: &Rule, object_type_name: &str) -> Scenario {
        let group = rule.is_group_rule();
        let source_system = non_empty_or(
            &rule.source_directory_name,
            match kind {
                JobKind::CloudSync => "Active Directory",
                JobKind::Workday => "Workday",
                JobKind::Saas | JobKind::CrossTenant => "Azure Active Directory",
            },
        );
        let target_system = non_empty_or(
            &rule.target_directory_name,
            match kind {
                JobKind::CloudSync | JobKind::CrossTenant => "Azure Active Directory",
                JobKind::Workday => "Active Directory",
                JobKind::Saas => "customappsso",
            },
        );
        let target_is_ad = target_system == "Active Directory";
        let target_type = match (kind, group) {
            (JobKind::Saas, false) => "urn:ietf:params:scim:schemas:core:2.0:User",
            (JobKind::Saas, true) => "urn:ietf:params:scim:schemas:core:2.0:Group",
            (_, true) => "Group",
            (_, false) if target_is_ad => "user",
            (_, false) => "User",
        };
        let noun = if group {
            "Group"
        } else if kind == JobKind::Workday {
            "Worker"
        } else {
            "User"
        };
        Scenario {
            kind,
            noun,
            source_type: object_type_name.to_string(),
            target_type,
            source_system,
            target_system,
        }
    }
}

fn non_empty_or(value: &str, fallback: &str) -> String {
    if value.is_empty() {
        fallback.to_string()
    } else {
        value.to_string()
    }
}

/// What the source directory knows about a subject.
struct Source {
    /// `reportableIdentifier`: a UPN, or a worker's display name.
    reportable: String,
    /// How the Import step names the object.
    display: String,
    /// Whether the account is enabled or the worker active.
    active: bool,
    /// The Import step's details.
    import_details: Map<String, Value>,
    /// The Matching step's details (the attribute used to look in the target).
    matching_details: Map<String, Value>,
    /// How the Export step names the created object.
    created_name: String,
    /// `modifiedProperties` of a Create: (attribute, new value).
    modified: Vec<(String, String)>,
}

fn find_source(
    emulator: &Emulator,
    kind: JobKind,
    object_id: &str,
    initial_domain: &str,
) -> Option<Source> {
    let tenant = &emulator.tenant;
    match kind {
        JobKind::Saas | JobKind::CrossTenant => {
            let user = tenant.user(object_id)?;
            let upn = user.user_principal_name.clone();
            let (created_name, modified) = if kind == JobKind::CrossTenant {
                let guest = format!("{}#EXT#@{}", upn.replace('@', "_"), initial_domain);
                let modified = vec![
                    ("accountEnabled".to_string(), "True".to_string()),
                    ("userPrincipalName".to_string(), guest.clone()),
                    ("userType".to_string(), "Member".to_string()),
                ];
                (guest, modified)
            } else {
                let modified = vec![
                    ("active".to_string(), "True".to_string()),
                    ("userName".to_string(), upn.clone()),
                    ("externalId".to_string(), user.id.clone()),
                ];
                (upn.clone(), modified)
            };
            Some(Source {
                reportable: upn.clone(),
                display: upn.clone(),
                active: user.account_enabled,
                import_details: details(&[("objectId", &user.id), ("userPrincipalName", &upn)]),
                matching_details: details(&[("userName", &upn)]),
                created_name,
                modified,
            })
        }
        JobKind::CloudSync => {
            let user = tenant.ad_user(object_id)?;
            Some(Source {
                reportable: user.user_principal_name.clone(),
                display: user.user_principal_name.clone(),
                active: user.enabled,
                import_details: details(&[
                    ("distinguishedName", &user.distinguished_name),
                    ("sAMAccountName", &user.sam_account_name),
                    ("userPrincipalName", &user.user_principal_name),
                    ("department", ""),
                ]),
                matching_details: details(&[(
                    "onPremisesDistinguishedName",
                    &user.distinguished_name,
                )]),
                created_name: user.user_principal_name.clone(),
                modified: vec![
                    (
                        "accountEnabled".to_string(),
                        dotnet_bool(user.enabled).to_string(),
                    ),
                    (
                        "userPrincipalName".to_string(),
                        user.user_principal_name.clone(),
                    ),
                    (
                        "onPremisesDistinguishedName".to_string(),
                        user.distinguished_name.clone(),
                    ),
                    (
                        "onPremisesSamAccountName".to_string(),
                        user.sam_account_name.clone(),
                    ),
                ],
            })
        }
        JobKind::Workday => {
            let worker = tenant.worker(object_id)?;
            let created_name = format!(
                "CN={},OU=New Hires,DC=corp,DC=example,DC=com",
                escape_rdn(&worker.display_name)
            );
            Some(Source {
                reportable: worker.display_name.clone(),
                display: worker.worker_id.clone(),
                active: worker.active,
                import_details: details(&[
                    ("WorkerID", &worker.worker_id),
                    ("Active", if worker.active { "1" } else { "0" }),
                ]),
                matching_details: details(&[("employeeID", &worker.worker_id)]),
                created_name,
                modified: vec![
                    ("employeeID".to_string(), worker.worker_id.clone()),
                    ("displayName".to_string(), worker.display_name.clone()),
                    ("accountDisabled".to_string(), "False".to_string()),
                ],
            })
        }
    }
}

/// `True` / `False`, as .NET prints booleans.
fn dotnet_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// Escapes a value for a DN's relative name (`,` `+` `"` `\` `<` `>` `;` and `=`).
fn escape_rdn(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The common name of a DN: the value of its first relative name, unescaped.
fn common_name(distinguished_name: &str) -> String {
    let first = distinguished_name
        .split_once('=')
        .map(|(_, rest)| rest)
        .unwrap_or(distinguished_name);
    let mut out = String::new();
    let mut chars = first.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            ',' => break,
            _ => out.push(c),
        }
    }
    out
}

fn details(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), Value::String(value.to_string())))
        .collect()
}

/// Clock for one evaluation: fresh times, each step a little later than the one before.
struct Run {
    start: SystemTime,
    steps: u32,
}

impl Run {
    fn start() -> Run {
        Run {
            start: SystemTime::now(),
            steps: 0,
        }
    }

    fn next_timestamp(&mut self) -> String {
        self.steps += 1;
        clock::result_timestamp(
            self.start + Duration::from_micros(12_345 * u64::from(self.steps) + 98_765),
        )
    }

    fn start_time(&self) -> String {
        clock::result_timestamp(self.start)
    }

    fn end_time(&self) -> String {
        clock::result_timestamp(
            self.start + Duration::from_micros(12_345 * u64::from(self.steps + 1) + 187_654),
        )
    }
}

/// A result: `key` JSON and the result object.
struct Record {
    key: Value,
    value: Value,
}

struct Step {
    name: &'static str,
    kind: &'static str,
    status: &'static str,
    description: String,
    details: Map<String, Value>,
}

impl Step {
    fn new(
        name: &'static str,
        kind: &'static str,
        status: &'static str,
        description: String,
        details: Map<String, Value>,
    ) -> Step {
        Step {
            name,
            kind,
            status,
            description,
            details,
        }
    }
}

/// The pieces of a result object that differ between outcomes.
struct Parts<'a> {
    action: &'static str,
    status: &'static str,
    modified: Vec<Value>,
    steps: Vec<Step>,
    reportable: &'a str,
    target_id: Option<&'a str>,
    error: Option<(&'static str, String, &'static str, String)>,
}

fn record(scenario: &Scenario, mut run: Run, subject: &SubjectRequest, parts: Parts<'_>) -> Value {
    let steps: Vec<Value> = parts
        .steps
        .into_iter()
        .map(|step| {
            json!({
                "name": step.name,
                "type": step.kind,
                "status": step.status,
                "description": step.description,
                "timestamp": run.next_timestamp(),
                "details": Value::Object(step.details),
            })
        })
        .collect();
    let status_info = match &parts.error {
        None => json!({
            "status": parts.status, "errorCode": null, "reason": null, "additionalDetails": null,
            "errorCategory": null, "recommendedAction": null,
        }),
        Some((code, reason, category, recommended)) => json!({
            "status": parts.status, "errorCode": code, "reason": reason, "additionalDetails": null,
            "errorCategory": category, "recommendedAction": recommended,
        }),
    };
    json!({
        "action": parts.action,
        "changeId": uuid::Uuid::new_v4().to_string(),
        "startTime": run.start_time(),
        "endTime": run.end_time(),
        "modifiedProperties": parts.modified,
        "provisioningSteps": steps,
        "reportableIdentifier": parts.reportable,
        "statusInfo": status_info,
        "sourceIdentity": { "id": subject.object_id, "type": scenario.source_type, "displayName": null, "details": null },
        "sourceSystem": { "id": null, "name": scenario.source_system, "details": null },
        "targetIdentity": { "id": parts.target_id, "type": scenario.target_type, "displayName": null, "details": null },
        "targetSystem": { "id": null, "name": scenario.target_system, "details": null },
    })
}

fn skip_key(code: &str, message: &str) -> Value {
    json!({ "result": "Skipped", "details": { "errorCode": code, "errorMessage": message } })
}

/// The Import steps: Cloud Sync first receives the change from AD, then reads the object.
fn import_steps(
    scenario: &Scenario,
    subject: &SubjectRequest,
    source: &Source,
    change: &str,
) -> Vec<Step> {
    let mut steps = Vec::new();
    if scenario.kind == JobKind::CloudSync {
        steps.push(Step::new(
            if change == "Add" {
                "EntryImportAdd"
            } else {
                "EntryImportUpdate"
            },
            "Import",
            "Success",
            format!(
                "Received {} '{}' change of type ({change}) from {}",
                scenario.noun,
                common_name(&subject.object_id),
                scenario.source_system
            ),
            details(&[("Distinguished Name", &subject.object_id)]),
        ));
    }
    steps.push(Step::new(
        "EntryImport",
        "Import",
        "Success",
        format!(
            "Retrieved {} '{}' from {}",
            scenario.noun, source.display, scenario.source_system
        ),
        source.import_details.clone(),
    ));
    steps
}

fn scoping_details(
    scenario: &Scenario,
    active: bool,
    assigned: bool,
    entitled: bool,
) -> Map<String, Value> {
    let mut map = details(&[("Active in the source system", dotnet_bool(active))]);
    if matches!(scenario.kind, JobKind::Saas | JobKind::CrossTenant) {
        map.insert(
            "Assigned to the application".into(),
            dotnet_bool(assigned).into(),
        );
    }
    if entitled {
        if scenario.kind == JobKind::Saas {
            map.insert("User has the required role".into(), "True".into());
        }
        map.insert("Scoping filter evaluation passed".into(), "True".into());
        if scenario.kind == JobKind::Saas {
            map.insert("ScopeEvaluationResult".into(), "{}".into());
        }
    } else {
        map.insert(
            "IsEffectivelyEntitledForProvisioning".into(),
            "False".into(),
        );
    }
    map
}

fn scoping_description(scenario: &Scenario) -> String {
    format!(
        "Determine if {} in scope by evaluating against each scoping filter",
        scenario.noun
    )
}

fn created(
    scenario: &Scenario,
    run: Run,
    subject: &SubjectRequest,
    source: &Source,
    target_id: &str,
) -> Record {
    let mut steps = import_steps(scenario, subject, source, "Add");
    steps.push(Step::new(
        "EntrySynchronizationScoping",
        "Scoping",
        "Success",
        scoping_description(scenario),
        scoping_details(scenario, true, true, true),
    ));
    steps.push(Step::new(
        "EntryImportObjectNotFound",
        "Matching",
        "Success",
        format!("{} not found in {}", scenario.noun, scenario.target_system),
        source.matching_details.clone(),
    ));
    let export_details = match scenario.kind {
        JobKind::Saas => details(&[("ReportableIdentifier", &source.reportable)]),
        JobKind::CloudSync => {
            let token =
                json!({ "InvocationId": &uuid::Uuid::new_v4().to_string()[..8], "Usn": "45001" })
                    .to_string();
            details(&[("originatingReplicaToken", &token)])
        }
        JobKind::Workday | JobKind::CrossTenant => Map::new(),
    };
    steps.push(Step::new(
        "EntryExportAdd",
        "Export",
        "Success",
        format!(
            "User '{}' was created in {}",
            source.created_name, scenario.target_system
        ),
        export_details,
    ));
    let modified = source
        .modified
        .iter()
        .map(|(name, value)| json!({ "displayName": name, "oldValue": null, "newValue": value }))
        .collect();
    let parts = Parts {
        action: "Create",
        status: "Success",
        modified,
        steps,
        reportable: &source.reportable,
        target_id: Some(target_id),
        error: None,
    };
    Record {
        key: json!({ "result": "Success", "details": {} }),
        value: record(scenario, run, subject, parts),
    }
}

fn redundant(
    scenario: &Scenario,
    run: Run,
    subject: &SubjectRequest,
    source: &Source,
    target_id: &str,
) -> Record {
    let message = "The source and target are already in sync; no change was needed";
    let mut steps = import_steps(scenario, subject, source, "Update");
    steps.push(Step::new(
        "EntrySynchronizationScoping",
        "Scoping",
        "Success",
        scoping_description(scenario),
        scoping_details(scenario, true, true, true),
    ));
    steps.push(Step::new(
        "EntryImport",
        "Matching",
        "Success",
        format!(
            "Retrieved {} '{}' from {}",
            if scenario.kind == JobKind::Workday {
                "User"
            } else {
                scenario.noun
            },
            source.created_name,
            scenario.target_system
        ),
        source.matching_details.clone(),
    ));
    steps.push(Step::new(
        "EntrySynchronizationSkip",
        "Export",
        "Skipped",
        message.to_string(),
        details(&[("SkipReason", "RedundantExport")]),
    ));
    let parts = Parts {
        action: "Other",
        status: "Skipped",
        modified: Vec::new(),
        steps,
        reportable: &source.reportable,
        target_id: Some(target_id),
        error: None,
    };
    Record {
        key: skip_key("RedundantExport", message),
        value: record(scenario, run, subject, parts),
    }
}

fn not_entitled(
    scenario: &Scenario,
    run: Run,
    subject: &SubjectRequest,
    source: &Source,
    assigned: bool,
) -> Record {
    let who = scenario.noun.to_ascii_lowercase();
    let message = if !source.active {
        format!("The {who} is disabled in the source system and is out of scope")
    } else {
        format!("The {who} is not assigned to the application and is out of scope")
    };
    let mut steps = import_steps(scenario, subject, source, "Add");
    steps.push(Step::new(
        "EntrySynchronizationScoping",
        "Scoping",
        "Skipped",
        scoping_description(scenario),
        scoping_details(scenario, source.active, assigned, false),
    ));
    let parts = Parts {
        action: "Other",
        status: "Skipped",
        modified: Vec::new(),
        steps,
        reportable: &source.reportable,
        target_id: None,
        error: None,
    };
    Record {
        key: skip_key("NotEffectivelyEntitled", &message),
        value: record(scenario, run, subject, parts),
    }
}

fn filtered_out(
    scenario: &Scenario,
    run: Run,
    subject: &SubjectRequest,
    source: &Source,
    filter: &str,
) -> Record {
    let who = scenario.noun.to_ascii_lowercase();
    let message = format!(
        "The {who} did not pass the scoping filter ({filter}) and is out of scope"
    );
    let mut steps = import_steps(scenario, subject, source, "Add");
    let mut scoping = details(&[("Active in the source system", "True")]);
    if matches!(scenario.kind, JobKind::Saas | JobKind::CrossTenant) {
        scoping.insert("Assigned to the application".into(), "True".into());
    }
    scoping.insert("Scoping filter evaluation passed".into(), "False".into());
    scoping.insert("Failed scoping filter".into(), filter.into());
    scoping.insert(
        "ScopeEvaluationResult".into(),
        json!({ "ScopingFilter": filter, "Result": "False" })
            .to_string()
            .into(),
    );
    scoping.insert(
        "IsEffectivelyEntitledForProvisioning".into(),
        "False".into(),
    );
    steps.push(Step::new(
        "EntrySynchronizationScoping",
        "Scoping",
        "Skipped",
        scoping_description(scenario),
        scoping,
    ));
    let parts = Parts {
        action: "Other",
        status: "Skipped",
        modified: Vec::new(),
        steps,
        reportable: &source.reportable,
        target_id: None,
        error: None,
    };
    Record {
        key: skip_key("NotEffectivelyEntitled", &message),
        value: record(scenario, run, subject, parts),
    }
}

fn not_found(scenario: &Scenario, run: Run, subject: &SubjectRequest) -> Record {
    let message = format!(
        "The {} '{}' was not found in {}",
        scenario.noun.to_ascii_lowercase(),
        subject.object_id,
        scenario.source_system
    );
    let steps = vec![Step::new(
        "EntryImport",
        "Import",
        "Failure",
        format!(
            "Could not retrieve {} '{}' from {}",
            scenario.noun, subject.object_id, scenario.source_system
        ),
        details(&[
            ("objectId", &subject.object_id),
            ("ErrorCode", "SourceObjectNotFound"),
        ]),
    )];
    let parts = Parts {
        action: "Other",
        status: "Failure",
        modified: Vec::new(),
        steps,
        reportable: &subject.object_id,
        target_id: None,
        error: Some((
            "SourceObjectNotFound",
            message.clone(),
            "NonServiceFailure",
            format!(
                "Check that the objectId names a {} in {}.",
                scenario.noun.to_ascii_lowercase(),
                scenario.source_system
            ),
        )),
    };
    Record {
        key: json!({ "result": "Failure", "details": { "errorCode": "SourceObjectNotFound", "errorMessage": message } }),
        value: record(scenario, run, subject, parts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_common_name_with_escapes() {
        assert_eq!(common_name("CN=Doe\\, Jane,OU=Staff,DC=corp"), "Doe, Jane");
        assert_eq!(common_name("CN=Kim Lee,OU=Staff"), "Kim Lee");
    }
}
