//! Claims: any JSON object as a token payload (and as its header) through `claims::normalize` and the
//! text-safety checks, on arbitrary JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let claims = token_doctor::claims::normalize(&map, Some(&map));
    let json = serde_json::to_value(&claims);
    assert!(json.is_ok());
    let _ = token_doctor::text::claim_findings(&map, "claim");
    let _ = token_doctor::text::display_object(&map);
    for key in map.keys() {
        let _ = token_doctor::claims::explain(key);
        let shown = token_doctor::text::visible(key);
        assert!(
            !token_doctor::text::has_invisible(&shown),
            "{shown:?} still hides characters"
        );
    }
});
