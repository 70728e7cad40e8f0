//! The access log: one line per request (target `einlass::access`, level
//! info), and the request span every other log line of the request carries.
//! Link tokens never reach it: the segment after `/i/`, `/r/`, `/c/` and
//! `/setup/` is written as `[token]`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

/// The path with link tokens replaced.
pub fn redact(path: &str) -> String {
    let mut out = Vec::new();
    let mut previous = "";
    for segment in path.split('/') {
        // After a link's prefix, or anything shaped like a token wherever
        // it stands (a link pasted into another path).
        let shaped = segment.len() > 4
            && segment.starts_with("EL")
            && segment.as_bytes().get(3) == Some(&b'_');
        if (matches!(previous, "i" | "r" | "c" | "a" | "setup") && !segment.is_empty()) || shaped {
            out.push("[token]");
        } else {
            out.push(segment);
        }
        previous = segment;
    }
    out.join("/")
}

pub struct RedactedSpan;

impl RootSpanBuilder for RedactedSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %redact(request.path()),
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let status = match outcome {
            Ok(res) => res.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
        span.in_scope(|| tracing::info!(target: "einlass::access", status, "answered"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_reach_the_log() {
        assert_eq!(redact("/i/ELI_abc"), "/i/[token]");
        assert_eq!(redact("/r/ELR_abc/x"), "/r/[token]/x");
        assert_eq!(redact("/setup/ELS_abc"), "/setup/[token]");
        assert_eq!(redact("/c/"), "/c/");
        assert_eq!(redact("/users/12/edit"), "/users/12/edit");
        assert_eq!(redact("/activate"), "/activate");
        assert_eq!(redact("/a/ELA_abc"), "/a/[token]");
        assert_eq!(redact("/x/ELA_abc"), "/x/[token]");
        assert_eq!(redact("/access-links/3"), "/access-links/3");
    }
}
