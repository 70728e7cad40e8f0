//! One page of a list and where it sits in the whole.

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

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.page_count()
    }

    /// The same position with other items.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// The last page that exists for `total` items (at least 1).
pub fn last_page(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(p.has_previous() && !p.has_next());
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
        assert_eq!(last_page(0, 50), 1);
        assert_eq!(last_page(100, 50), 2);
    }
}
