//! Parsing of `DATABASE_URL`: which backend, and a form that is safe to print.

use super::Backend;

/// Picks the backend from the URL scheme; anything that is not `postgres://` or
/// `postgresql://` is a SQLite path (`sqlite://` prefix optional).
pub fn backend_of(url: &str) -> Backend {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// The schemes `DATABASE_URL` may have, as an operator reads them.
pub const SUPPORTED_SCHEMES: &str =
    "postgres:// or postgresql:// (PostgreSQL), sqlite:// or a file path without a scheme (SQLite)";

/// Refuses a URL with a scheme neither backend takes (`mysql://…`), which would
/// otherwise be opened as a SQLite file of that odd name.
pub fn check_scheme(url: &str) -> Result<(), String> {
    let scheme = url.split_once("://").map(|(s, _)| s).filter(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    match scheme {
        None | Some("postgres" | "postgresql" | "sqlite") => Ok(()),
        Some(other) => Err(format!(
            "DATABASE_URL has the unsupported scheme '{other}://'; supported: {SUPPORTED_SCHEMES}"
        )),
    }
}

/// The path SQLite should open for a `DATABASE_URL`.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// The URL with any password removed, for error messages and logs.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    let masked = if userinfo.contains(':') {
        format!("{user}:***")
    } else {
        user.to_owned()
    };
    format!("{}{}{}", &url[..scheme_end + 3], masked, &rest[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password_only() {
        assert_eq!(
            redact("postgres://janji:s3cr3t@db:5432/janji?sslmode=require"),
            "postgres://janji:***@db:5432/janji?sslmode=require"
        );
        assert_eq!(
            redact("postgres://janji@db/janji"),
            "postgres://janji@db/janji"
        );
        assert_eq!(redact("postgres://db/janji"), "postgres://db/janji");
        assert_eq!(redact("./janji.db"), "./janji.db");
        assert_eq!(redact("postgres://u:p@ss@h/d"), "postgres://u:***@h/d");
    }

    #[test]
    fn refuses_unsupported_schemes() {
        for ok in [
            "postgres://h/d",
            "postgresql://h/d",
            "sqlite://a.db",
            "a.db",
            "/tmp/x.db",
            "sqlite:a.db",
        ] {
            assert!(check_scheme(ok).is_ok(), "{ok}");
        }
        for bad in [
            "mysql://u@h/d",
            "mariadb://h/d",
            "http://h/d",
            "POSTGRES://h/d",
        ] {
            let e = check_scheme(bad).unwrap_err();
            assert!(e.contains("postgres://") && e.contains("sqlite://"), "{e}");
        }
    }

    #[test]
    fn picks_backend_from_scheme() {
        assert_eq!(backend_of("postgresql://x/y"), Backend::Postgres);
        assert_eq!(backend_of("postgres://x/y"), Backend::Postgres);
        assert_eq!(backend_of("sqlite://janji.db"), Backend::Sqlite);
        assert_eq!(backend_of("janji.db"), Backend::Sqlite);
        assert_eq!(sqlite_path("sqlite://janji.db"), "janji.db");
        assert_eq!(sqlite_path("/tmp/a.db"), "/tmp/a.db");
    }
}
