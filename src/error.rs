//! One error type for handlers. It answers with the right status; the page
//! itself (in the request's language, inside the layout) is rendered by the
//! frame middleware, which knows the request. Causes go to the log, never to
//! the page.

use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, LOCATION, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};

use crate::context::QueueError;
use crate::services::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The path exists, but not for this method: the methods it takes
    /// (`Allow`).
    #[error("method not allowed; allowed: {0}")]
    MethodNotAllowed(String),
    #[error("forbidden")]
    Forbidden,
    #[error("csrf token missing or wrong")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A form POST whose body is not a url-encoded form (`text/plain`,
    /// JSON): refused as such, never read as one.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// A form with a file that arrived malformed (a file name that is not
    /// UTF-8 or holds a control character, a part cut off): said as such,
    /// with what to do.
    #[error("bad upload: {0}")]
    BadUpload(String),
    #[error("login required")]
    LoginRequired(String),
    #[error("password change required")]
    PasswordChangeRequired,
    /// Somewhere else is the right page (a person on an admin page goes to his own).
    #[error("redirect to {0}")]
    Redirect(&'static str),
    /// Someone else changed or removed what the request needed at the same
    /// instant; nothing was written.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Overloaded or the database unreachable: try again shortly.
    #[error("busy: {0}")]
    Busy(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Marks a response whose body the frame middleware replaces with an error page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorPage {
    NotFound,
    MethodNotAllowed,
    Forbidden,
    Csrf,
    BadRequest,
    BadUpload,
    Conflict,
    Busy,
    Internal,
}

pub type AppResult<T> = Result<T, AppError>;

/// Seconds a client is asked to wait after a 503.
const RETRY_AFTER_SECONDS: &str = "5";

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) | AppError::BadUpload(_) => StatusCode::BAD_REQUEST,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::LoginRequired(_)
            | AppError::PasswordChangeRequired
            | AppError::Redirect(_) => StatusCode::SEE_OTHER,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let page = match self {
            AppError::LoginRequired(next) => {
                let location = if next.is_empty() || next == "/" {
                    "/login".to_owned()
                } else {
                    crate::web::link("/login", &[("next", next)])
                };
                return HttpResponse::SeeOther()
                    .insert_header((LOCATION, location))
                    .finish();
            }
            AppError::PasswordChangeRequired => {
                return HttpResponse::SeeOther()
                    .insert_header((LOCATION, "/account/password"))
                    .finish();
            }
            AppError::Redirect(location) => {
                return HttpResponse::SeeOther()
                    .insert_header((LOCATION, *location))
                    .finish();
            }
            AppError::NotFound => ErrorPage::NotFound,
            AppError::MethodNotAllowed(_) => ErrorPage::MethodNotAllowed,
            AppError::Forbidden => ErrorPage::Forbidden,
            AppError::Csrf => ErrorPage::Csrf,
            AppError::BadRequest(_) | AppError::UnsupportedMediaType(_) => ErrorPage::BadRequest,
            AppError::BadUpload(cause) => {
                tracing::info!(%cause, "upload refused: malformed form");
                ErrorPage::BadUpload
            }
            AppError::Conflict(cause) => {
                tracing::warn!(%cause, "request lost a race: nothing written");
                ErrorPage::Conflict
            }
            AppError::Busy(cause) => {
                tracing::warn!(%cause, "request refused: busy");
                ErrorPage::Busy
            }
            AppError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                ErrorPage::Internal
            }
        };
        let mut builder = HttpResponse::build(self.status_code());
        if page == ErrorPage::Busy {
            builder.insert_header((RETRY_AFTER, RETRY_AFTER_SECONDS));
        }
        if let AppError::MethodNotAllowed(allow) = self {
            builder.insert_header((ALLOW, allow.as_str()));
        }
        let mut response = builder.finish();
        response.extensions_mut().insert(page);
        response
    }
}

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Conflict(_) | ServiceError::Changed => {
                AppError::Conflict(err.to_string())
            }
            ServiceError::Queue(QueueError::Busy(_) | QueueError::Unavailable(_)) => {
                AppError::Busy(err.to_string())
            }
            other => AppError::Internal(format!("{other}")),
        }
    }
}

impl From<QueueError> for AppError {
    fn from(err: QueueError) -> Self {
        AppError::from(ServiceError::Queue(err))
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        AppError::Internal(format!("template: {err}"))
    }
}
