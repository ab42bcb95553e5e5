use serde_json::json;

use crate::{Case, breaks, keeps};

pub fn cases() -> Vec<Case> {
    vec![
        breaks(
            "tag-reserved-prefix",
            "tags[0].key",
            json!({"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}],
                   "tags": [{"key": "aws:owner", "value": "me"}]}),
        ),
        keeps(
            "tag-reserved-prefix",
            json!({"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}],
                   "tags": [{"key": "owner", "value": "aws"}]}),
        ),
    ]
}
