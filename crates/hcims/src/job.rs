//! The asynchronous job a create starts, as `GET /v1/{project_id}/jobs/{job_id}` describes it.

use serde_json::Value;

/// A snapshot of a job. `raw` keeps the whole answer: IMS adds fields over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    /// `INIT`, `RUNNING`, `SUCCESS` or `FAIL` (kept as sent, in case IMS adds one).
    pub status: String,
    pub job_type: Option<String>,
    /// The image of the job itself (`entities.image_id`), when it has one.
    pub image_id: Option<String>,
    /// Every image id: the job's own, then each sub-job's (data-image jobs carry theirs only there).
    pub image_ids: Vec<String>,
    /// 0.0 to 1.0 from `entities.process_percent`; 1.0 once SUCCESS; None when unknown.
    pub progress: Option<f64>,
    pub error_code: Option<String>,
    pub fail_reason: Option<String>,
    pub begin_time: Option<String>,
    pub end_time: Option<String>,
    pub raw: Value,
}

impl Job {
    /// Reads a job answer. `fallback_id` is used when the body does not repeat the id.
    pub fn from_json(raw: Value, fallback_id: &str) -> Result<Job, String> {
        let object = raw
            .as_object()
            .ok_or_else(|| format!("the job answer is not a JSON object: {}", excerpt(&raw)))?;
        let text = |v: Option<&Value>| -> Option<String> {
            v.and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let status = text(object.get("status"))
            .ok_or_else(|| format!("the job answer has no status: {}", excerpt(&raw)))?;
        let entities = object.get("entities");
        let image_id = text(entities.and_then(|e| e.get("image_id")));
        let mut image_ids: Vec<String> = image_id.iter().cloned().collect();
        if let Some(Value::Array(sub_jobs)) = entities.and_then(|e| e.get("sub_jobs_result")) {
            for sub in sub_jobs {
                if let Some(id) = text(sub.get("entities").and_then(|e| e.get("image_id"))) {
                    if !image_ids.contains(&id) {
                        image_ids.push(id);
                    }
                }
            }
        }
        let progress = if status == "SUCCESS" {
            Some(1.0)
        } else {
            entities
                .and_then(|e| e.get("process_percent"))
                .and_then(number_or_numeric_string)
                .map(|p| p.clamp(0.0, 1.0))
        };
        Ok(Job {
            id: text(object.get("job_id")).unwrap_or_else(|| fallback_id.to_owned()),
            job_type: text(object.get("job_type")),
            image_id,
            image_ids,
            progress,
            error_code: text(object.get("error_code")),
            fail_reason: text(object.get("fail_reason")),
            begin_time: text(object.get("begin_time")),
            end_time: text(object.get("end_time")),
            status,
            raw,
        })
    }

    /// SUCCESS and FAIL are the only final states.
    pub fn is_done(&self) -> bool {
        self.status == "SUCCESS" || self.status == "FAIL"
    }

    pub fn is_ok(&self) -> bool {
        self.status == "SUCCESS"
    }
}

fn number_or_numeric_string(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|p: &f64| p.is_finite())
}

fn excerpt(v: &Value) -> String {
    let text = v.to_string();
    text.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn success_from_instance() {
        let job = Job::from_json(
            json!({"job_id":"9a175ac792fa12d20193002100dd2762","job_type":"imsCreateImageByInstance",
                   "begin_time":"2024-11-06T06:19:43.195Z","end_time":"2024-11-06T06:23:25.158Z",
                   "status":"SUCCESS","error_code":null,"fail_reason":null,
                   "entities":{"image_name":"test","image_id":"3f7185de-b59a-4bb8-aa1d-7a513528b0e9"}}),
            "x",
        )
        .unwrap();
        assert_eq!(job.id, "9a175ac792fa12d20193002100dd2762");
        assert!(job.is_done() && job.is_ok());
        assert_eq!(
            job.image_id.as_deref(),
            Some("3f7185de-b59a-4bb8-aa1d-7a513528b0e9")
        );
        assert_eq!(job.image_ids, vec!["3f7185de-b59a-4bb8-aa1d-7a513528b0e9"]);
        assert_eq!(job.progress, Some(1.0));
        assert_eq!(job.error_code, None);
        assert_eq!(job.end_time.as_deref(), Some("2024-11-06T06:23:25.158Z"));
    }

    #[test]
    fn running_with_progress_and_empty_end_time() {
        let job = Job::from_json(
            json!({"job_id":"ff80","status":"RUNNING","end_time":"",
                   "entities":{"process_percent":0.40,"current_task":"CopyImageInRegionTask:"}}),
            "x",
        )
        .unwrap();
        assert!(!job.is_done());
        assert_eq!(job.progress, Some(0.4));
        assert_eq!(job.end_time, None);
    }

    #[test]
    fn data_images_ids_come_from_sub_jobs() {
        let job = Job::from_json(
            json!({"job_id":"a","status":"SUCCESS","job_type":"imsVolumesToSysDataImagesJob",
                   "entities":{"sub_jobs_result":[
                       {"status":"SUCCESS","entities":{"image_id":"i1"}},
                       {"status":"SUCCESS","entities":{"image_id":"i2"}},
                       {"status":"SUCCESS","entities":{}}]}}),
            "a",
        )
        .unwrap();
        assert_eq!(job.image_id, None);
        assert_eq!(job.image_ids, vec!["i1", "i2"]);
    }

    #[test]
    fn fail_carries_code_and_reason() {
        let job = Job::from_json(
            json!({"status":"FAIL","error_code":"IMG.1075","fail_reason":"registration failed","entities":{}}),
            "fallback",
        )
        .unwrap();
        assert_eq!(job.id, "fallback");
        assert!(job.is_done() && !job.is_ok());
        assert_eq!(job.error_code.as_deref(), Some("IMG.1075"));
    }

    #[test]
    fn progress_as_string_is_clamped() {
        let job = Job::from_json(
            json!({"status":"RUNNING","entities":{"process_percent":"1.7"}}),
            "a",
        )
        .unwrap();
        assert_eq!(job.progress, Some(1.0));
    }

    #[test]
    fn malformed_answers_are_errors() {
        assert!(Job::from_json(json!([1]), "a").is_err());
        assert!(Job::from_json(json!({"job_id": "a"}), "a").is_err());
    }
}
