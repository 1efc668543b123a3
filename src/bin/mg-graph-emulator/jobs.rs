//! The read side of synchronization: `GET …/synchronization/jobs`, `GET …/jobs/{jobId}` and
//! `GET …/jobs/{jobId}/schema`, in Graph's shapes (`synchronizationJob` with `schedule`,
//! `status` and `synchronizationJobSettings`; `synchronizationSchema` with
//! `synchronizationRules` and `directories`).

use serde_json::{json, Value};

use crate::fixture::{Job, JobKind, Rule};

/// Graph's `@odata.context` for a path below the version, such as `applications('…')/synchronization/jobs`.
fn context(version: &str, entity_path: &str) -> String {
    format!("https://graph.microsoft.com/{version}/$metadata#{entity_path}")
}

/// `{"@odata.context", "value": [job]}` for `GET …/synchronization/jobs`.
pub fn job_list(version: &str, root_path: &str, jobs: &[Job]) -> String {
    json!({
        "@odata.context": context(version, &format!("{root_path}/synchronization/jobs")),
        "value": jobs.iter().map(job_value).collect::<Vec<_>>(),
    })
    .to_string()
}

/// One job for `GET …/jobs/{jobId}`.
pub fn job(version: &str, root_path: &str, job: &Job) -> String {
    let mut value = job_value(job);
    value.as_object_mut().expect("a job is an object").insert(
        "@odata.context".into(),
        json!(context(version, &format!("{root_path}/synchronization/jobs/$entity"))),
    );
    value.to_string()
}

fn job_value(job: &Job) -> Value {
    let settings: Vec<Value> = if job.settings.is_empty() {
        default_settings(job.kind())
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect()
    } else {
        job.settings
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect()
    };
    json!({
        "id": job.id,
        "templateId": job.template_id,
        "schedule": {
            "expiration": null,
            "interval": job.schedule_interval,
            "state": job.schedule_state,
        },
        "status": {
            "code": job.status,
            "countSuccessiveCompleteFailures": 0,
            "escrowsPruned": false,
            "lastExecution": null,
            "lastSuccessfulExecution": null,
            "lastSuccessfulExecutionWithExports": null,
            "progress": [],
            "quarantine": null,
            "steadyStateFirstAchievedTime": "0001-01-01T00:00:00Z",
            "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z",
            "synchronizedEntryCountByType": [],
            "troubleshootingUrl": null,
        },
        "synchronizationJobSettings": settings,
    })
}

/// The settings a new job of this kind carries in Entra.
fn default_settings(kind: JobKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        JobKind::CloudSync => &[
            ("Domain", "{\"domain\":\"corp.example.com\"}"),
            ("SyncAll", "false"),
        ],
        JobKind::Workday => &[("QuarantineTooManyDeletesThreshold", "500")],
        JobKind::Saas | JobKind::CrossTenant => &[
            ("AzureIngestionAttributeOptimization", "False"),
            ("LookaheadQueryEnabled", "False"),
        ],
    }
}

/// The schema for `GET …/jobs/{jobId}/schema`.
pub fn schema(version: &str, root_path: &str, job: &Job) -> String {
    let kind = job.kind();
    let rules: Vec<Value> = job.rules.iter().map(|rule| rule_value(kind, rule)).collect();
    let mut directory_names: Vec<String> = Vec::new();
    for rule in &job.rules {
        for name in [&rule.source_directory_name, &rule.target_directory_name] {
            if !name.is_empty() && !directory_names.contains(name) {
                directory_names.push(name.clone());
            }
        }
    }
    let directories: Vec<Value> = directory_names
        .iter()
        .map(|name| {
            json!({
                "id": name_guid(name),
                "name": name,
                "discoverabilities": "None",
                "discoveryDateTime": null,
                "readOnly": false,
                "version": null,
                "objects": [],
            })
        })
        .collect();
    json!({
        "@odata.context": context(version, &format!("{root_path}/synchronization/jobs('{}')/schema/$entity", job.id.replace('\'', "''"))),
        "id": job.id,
        "version": format!("Date:{};TemplateId:{}", "2026-01-01T00:00:00Z", job.template_id),
        "synchronizationRules": rules,
        "directories": directories,
    })
    .to_string()
}

fn rule_value(kind: JobKind, rule: &Rule) -> Value {
    let metadata: Vec<Value> = rule
        .metadata
        .iter()
        .map(|(key, value)| json!({ "key": key, "value": value }))
        .collect();
    let object_mappings = rule
        .object_mappings
        .clone()
        .unwrap_or_else(|| default_object_mappings(kind, rule));
    json!({
        "id": rule.id,
        "name": rule.name,
        "priority": rule.priority,
        "editable": rule.editable,
        "sourceDirectoryName": rule.source_directory_name,
        "targetDirectoryName": rule.target_directory_name,
        "containerFilter": { "includedContainers": [] },
        "groupFilter": { "includedGroups": [] },
        "metadata": metadata,
        "objectMappings": object_mappings,
    })
}

/// One object mapping for a rule whose fixture gives none: the source and target object types
/// the rule's direction implies, with a key attribute mapping.
fn default_object_mappings(kind: JobKind, rule: &Rule) -> Value {
    let group = rule.is_group_rule();
    let (source_object, target_object, source_attribute, target_attribute) = match (kind, group) {
        (JobKind::Saas, false) => ("User", "urn:ietf:params:scim:schemas:core:2.0:User", "userPrincipalName", "userName"),
        (JobKind::Saas, true) => ("Group", "urn:ietf:params:scim:schemas:core:2.0:Group", "displayName", "displayName"),
        (JobKind::CloudSync, _) => ("user", "User", "distinguishedName", "onPremisesDistinguishedName"),
        (JobKind::Workday, _) => ("Worker", "user", "WorkerID", "employeeID"),
        (JobKind::CrossTenant, _) => ("User", "User", "objectId", "alternativeSecurityIds"),
    };
    json!([{
        "name": format!("Provision {} {}s", rule.source_directory_name, source_object),
        "enabled": true,
        "flowTypes": "Add, Update, Delete",
        "sourceObjectName": source_object,
        "targetObjectName": target_object,
        "metadata": [],
        "scope": null,
        "attributeMappings": [{
            "source": { "expression": format!("[{source_attribute}]"), "name": source_attribute, "type": "Attribute", "parameters": [] },
            "targetAttributeName": target_attribute,
            "matchingPriority": 1,
            "flowBehavior": "FlowWhenChanged",
            "flowType": "Always",
            "defaultValue": "",
            "exportMissingReferences": false,
        }],
    }])
}

/// A GUID derived from a name, so a directory keeps its id from one answer to the next.
fn name_guid(name: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Uuid::from_bytes(bytes).to_string()
}
