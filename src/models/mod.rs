//! Tables and their queries: row structs, insert/update forms and query
//! functions `fn(&mut DbConn, ..) -> QueryResult<_>`. The only place that
//! knows SQL; services decide, models fetch and store.

pub mod audit;
pub mod login_failure;
pub mod photo;
pub mod session;
pub mod settings;
pub mod token;
pub mod unit;
pub mod user;

/// LIKE pattern that finds `needle` anywhere, with `%`, `_` and `\` escaped.
pub fn contains_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One page of a list and where it sits in the whole.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    pub fn first_index(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            (self.page - 1) * self.per_page + 1
        }
    }

    pub fn last_index(&self) -> i64 {
        (self.page * self.per_page).min(self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }

    #[test]
    fn page_arithmetic() {
        let p = Page::<()> {
            items: vec![],
            total: 101,
            page: 3,
            per_page: 50,
        };
        assert_eq!(
            (p.page_count(), p.first_index(), p.last_index()),
            (3, 101, 101)
        );
        let empty = Page::<()> {
            items: vec![],
            total: 0,
            page: 1,
            per_page: 50,
        };
        assert_eq!(
            (empty.page_count(), empty.first_index(), empty.last_index()),
            (1, 0, 0)
        );
    }
}
