//! The search itself: the user's words folded like the index, each matched (all of them) with
//! `LIKE '%word%'` on the folded texts, hits on a name or code first.

use serde::Serialize;

use super::fold::{fold, fold_mapped};
use super::index::Kind;
use crate::store::{Store, StoreError};

/// The longest question, in characters.
pub const MAX_CHARS: usize = 200;
/// The most words in one question (each is a LIKE over the index).
pub const MAX_WORDS: usize = 12;

/// A question as search reads it: the words folded like the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// As the user wrote it, trimmed.
    pub text: String,
    /// All of it folded: a name or code equal to it ranks first.
    pub folded: String,
    /// The folded words, each of which a hit must contain.
    pub words: Vec<String>,
}

/// Why a question cannot be searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAQuestion {
    /// Nothing (or only spaces) was asked.
    Empty,
    /// Too long or too many words; the Dutch message says what to do.
    TooLong(String),
}

impl Question {
    pub fn parse(text: &str) -> Result<Self, NotAQuestion> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars > MAX_CHARS {
            return Err(NotAQuestion::TooLong(format!(
                "Uw zoekvraag is {chars} tekens lang. Gebruik er hoogstens {MAX_CHARS}: een paar woorden uit een naam of een code is genoeg."
            )));
        }
        let folded = fold(text);
        let mut words: Vec<String> = Vec::new();
        for w in folded.split(' ').filter(|w| !w.is_empty()) {
            if !words.iter().any(|seen| seen == w) {
                words.push(w.to_owned());
            }
        }
        if words.is_empty() {
            return Err(NotAQuestion::Empty);
        }
        if words.len() > MAX_WORDS {
            return Err(NotAQuestion::TooLong(format!(
                "Uw zoekvraag heeft {} woorden. Gebruik er hoogstens {MAX_WORDS}.",
                words.len()
            )));
        }
        Ok(Self {
            text: text.to_owned(),
            folded,
            words,
        })
    }

    /// The LIKE pattern of each word, with `\`, `%` and `_` taken literally.
    fn patterns(&self) -> Vec<String> {
        self.words
            .iter()
            .map(|w| {
                let escaped = w
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            })
            .collect()
    }

    /// `column LIKE $first AND column LIKE $first+1 ...`, one per word.
    fn conditions(&self, column: &str, first: usize) -> String {
        (0..self.words.len())
            .map(|i| format!("{column} LIKE ${} ESCAPE '\\'", first + i))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// Where in a hit's texts a word was found: the field's label and the words around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Snippet {
    /// The field ("Waar gaat het over").
    pub label: String,
    /// The text before the word, cut at a space with "…" when it was longer.
    pub before: String,
    /// The word as written in the text.
    pub hit: String,
    pub after: String,
}

/// One record found.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: Kind,
    pub id: String,
    pub title: String,
    pub code: String,
    /// A plan's stage (or "gearchiveerd"), an organisation's kind.
    pub detail: Option<String>,
    /// Where a word was found, when not every word is in the name or code.
    pub snippet: Option<Snippet>,
}

#[derive(sqlx::FromRow)]
struct HitRow {
    kind: String,
    record_id: String,
    title: String,
    code: String,
    detail: Option<String>,
    texts: Option<String>,
}

impl HitRow {
    fn hit(self, q: &Question) -> Option<Hit> {
        let name = format!("{} {}", fold(&self.title), fold(&self.code));
        let elsewhere: Vec<&String> = q.words.iter().filter(|w| !name.contains(*w)).collect();
        let snippet = if elsewhere.is_empty() {
            None
        } else {
            let texts: Vec<(String, String)> = self
                .texts
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            texts.iter().find_map(|(label, text)| {
                elsewhere
                    .iter()
                    .find_map(|w| snippet(label, text, w.as_str()))
            })
        };
        Some(Hit {
            kind: Kind::from_code(&self.kind)?,
            id: self.record_id,
            title: self.title,
            code: self.code,
            detail: self.detail,
            snippet,
        })
    }
}

/// Characters shown before and after the word of a snippet, about.
const CONTEXT: usize = 70;

/// The words of `text` around the first place its folded form holds `word`.
pub fn snippet(label: &str, text: &str, word: &str) -> Option<Snippet> {
    let (folded, map) = fold_mapped(text);
    let at = folded.find(word)?;
    let start = map[at];
    let last = map[at + word.len() - 1];
    let end = last + text[last..].chars().next().map_or(0, char::len_utf8);
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let before_all = &text[..start];
    let before = if before_all.chars().count() > CONTEXT {
        let cut = before_all
            .char_indices()
            .rev()
            .nth(CONTEXT)
            .map_or(0, |(i, _)| i);
        let from = before_all[cut..].find(' ').map_or(cut, |s| cut + s + 1);
        format!("…{}", squeeze(&before_all[from..]))
    } else {
        squeeze(before_all)
    };
    let after_all = &text[end..];
    let after = if after_all.chars().count() > CONTEXT {
        let cut = after_all
            .char_indices()
            .nth(CONTEXT)
            .map_or(after_all.len(), |(i, _)| i);
        let to = after_all[..cut].rfind(' ').unwrap_or(cut);
        format!("{}…", squeeze(&after_all[..to]))
    } else {
        squeeze(after_all)
    };
    // Keep the spaces around the word that squeezing took off the ends.
    let before = if before_all.ends_with(char::is_whitespace) && !before.is_empty() {
        format!("{before} ")
    } else {
        before
    };
    let after = if after_all.starts_with(char::is_whitespace) && !after.is_empty() {
        format!(" {after}")
    } else {
        after
    };
    Some(Snippet {
        label: label.to_owned(),
        before,
        hit: text[start..end].to_owned(),
        after,
    })
}

impl Store {
    /// How many records of each kind hold every word of the question.
    pub async fn search_counts(&self, q: &Question) -> Result<Vec<(Kind, usize)>, StoreError> {
        let sql = format!(
            "SELECT kind, COUNT(*) FROM search_entries WHERE {} GROUP BY kind",
            q.conditions("folded", 1)
        );
        let mut query = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql));
        for p in q.patterns() {
            query = query.bind(p);
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(Kind::ALL
            .into_iter()
            .map(|k| {
                let n = rows
                    .iter()
                    .find(|(c, _)| c == k.code())
                    .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0));
                (k, n)
            })
            .collect())
    }

    /// The records of `kind` that hold every word of the question, `limit` from `offset`, in
    /// the order of [`Rank`]: those whose name or code is the question first, then those whose
    /// name and code hold every word, then the rest; each by name. `found` is how many there
    /// are ([`Store::search_counts`]).
    ///
    /// A few hits are found and sorted in one statement. Many (a common word: "plan" is in the
    /// code of every plan) are read a rank at a time along the index in the order of names
    /// (migration 0020), which stops as soon as the page is full, instead of sorting them all.
    pub async fn search(
        &self,
        q: &Question,
        kind: Kind,
        found: usize,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Hit>, StoreError> {
        let rows = if found <= FEW_HITS {
            self.hit_rows(q, kind, None, limit, offset).await?
        } else {
            self.hit_rows_by_rank(q, kind, limit, offset).await?
        };
        Ok(rows.into_iter().filter_map(|r| r.hit(q)).collect())
    }

    /// One rank at a time: a rank before the page is counted and skipped, the page is read
    /// from the rank it starts in onward until it is full.
    async fn hit_rows_by_rank(
        &self,
        q: &Question,
        kind: Kind,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<HitRow>, StoreError> {
        let mut rows = Vec::new();
        let mut skip = offset;
        for rank in Rank::ALL {
            let left = limit - i64::try_from(rows.len()).unwrap_or(i64::MAX);
            if left <= 0 {
                break;
            }
            if skip > 0 {
                let n = self.rank_count(q, kind, rank).await?;
                if skip >= n {
                    skip -= n;
                    continue;
                }
            }
            rows.extend(self.hit_rows(q, kind, Some(rank), left, skip).await?);
            skip = 0;
        }
        Ok(rows)
    }

    /// How many records of `kind` are in `rank`.
    async fn rank_count(&self, q: &Question, kind: Kind, rank: Rank) -> Result<i64, StoreError> {
        let n = q.words.len();
        let sql = format!("SELECT COUNT(*) FROM {}", rank.source(q, n + 1));
        let mut query = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
        for p in q.patterns() {
            query = query.bind(p);
        }
        let (count,) = query
            .bind(&q.folded)
            .bind(kind.code())
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    /// The hits of `kind` in `rank` by name, or of every rank in the order of ranks.
    async fn hit_rows(
        &self,
        q: &Question,
        kind: Kind,
        rank: Option<Rank>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<HitRow>, StoreError> {
        let n = q.words.len();
        let whole = n + 1;
        let (source, order) = match rank {
            Some(rank) => (rank.source(q, whole), String::new()),
            None => (
                format!(
                    "search_entries e WHERE e.kind = ${} AND {}",
                    whole + 1,
                    q.conditions("folded", 1)
                ),
                format!(
                    "CASE WHEN {} THEN 0 WHEN {} THEN 1 ELSE 2 END,",
                    exact(whole),
                    q.conditions(NAMED, 1)
                ),
            ),
        };
        let sql = format!(
            "SELECT e.kind, e.record_id, e.title, e.code, e.detail, e.texts FROM {source}
              ORDER BY {order} e.folded_title, e.record_id
              LIMIT ${limit_at} OFFSET ${offset_at}",
            limit_at = n + 3,
            offset_at = n + 4,
        );
        let mut query = sqlx::query_as::<_, HitRow>(sqlx::AssertSqlSafe(sql));
        for p in q.patterns() {
            query = query.bind(p);
        }
        Ok(query
            .bind(&q.folded)
            .bind(kind.code())
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?)
    }
}

/// Up to this many hits of a kind are sorted in one statement; more are read a rank at a time.
const FEW_HITS: usize = 200;

/// A record's name and code, as one text a word of the question is matched in.
const NAMED: &str = "(folded_title || ' ' || folded_code)";

/// The ranks of hits, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rank {
    /// The name or the code is the whole question.
    Exact,
    /// Every word is in the name or code.
    Named,
    /// Every word is in the texts, and not every one in the name or code.
    Elsewhere,
}

impl Rank {
    const ALL: [Rank; 3] = [Rank::Exact, Rank::Named, Rank::Elsewhere];

    /// The records of the kind `$whole+1` in this rank, as `e`: what follows FROM. The words'
    /// patterns are `$1...`, the whole question `$whole`.
    fn source(self, q: &Question, whole: usize) -> String {
        let kind = whole + 1;
        let named = q.conditions(NAMED, 1);
        match self {
            // Every word of the question is then in the name or code, so in `folded` too.
            // Usually a handful, found through the index of names and that of codes, each on
            // its own: a planner without statistics would rather walk every name of the kind.
            Self::Exact => format!(
                "(SELECT record_id FROM search_entries
                   WHERE kind = ${kind} AND folded_title = ${whole}
                  UNION SELECT record_id FROM search_entries
                   WHERE kind = ${kind} AND folded_code = ${whole}) x
                 JOIN search_entries e ON e.kind = ${kind} AND e.record_id = x.record_id"
            ),
            Self::Named => format!(
                "search_entries e WHERE e.kind = ${kind} AND {named} AND NOT {}",
                exact(whole)
            ),
            Self::Elsewhere => format!(
                "search_entries e WHERE e.kind = ${kind} AND {} AND NOT ({named})",
                q.conditions("folded", 1)
            ),
        }
    }
}

/// The name or the code is the whole question (`$whole`).
fn exact(whole: usize) -> String {
    format!("(folded_code = ${whole} OR folded_title = ${whole})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_folded_into_distinct_words() {
        let q = Question::parse("  Wijk BIJ  Duurstede wijk ").expect("a question");
        assert_eq!(q.words, ["wijk", "bij", "duurstede"]);
        assert_eq!(q.folded, "wijk bij duurstede wijk");
        assert_eq!(q.text, "Wijk BIJ  Duurstede wijk");
        assert_eq!(Question::parse("   "), Err(NotAQuestion::Empty));
        assert!(matches!(
            Question::parse(&"a".repeat(MAX_CHARS + 1)),
            Err(NotAQuestion::TooLong(_))
        ));
        assert!(Question::parse(&"é".repeat(MAX_CHARS)).is_ok());
        let many: Vec<String> = (0..=MAX_WORDS).map(|i| format!("w{i}")).collect();
        assert!(matches!(
            Question::parse(&many.join(" ")),
            Err(NotAQuestion::TooLong(_))
        ));
    }

    #[test]
    fn like_wildcards_are_taken_literally() {
        let q = Question::parse("50%_a\\b").expect("a question");
        assert_eq!(q.patterns(), ["%50\\%\\_a\\\\b%"]);
    }

    #[test]
    fn a_snippet_shows_the_word_as_written_with_its_neighbours() {
        let text = "In dit plan wordt een Coördinatiepunt Wijkverpleging opgezet.";
        let s = snippet("Waar gaat het over", text, "coordinatiepunt").expect("found");
        assert_eq!(s.before, "In dit plan wordt een ");
        assert_eq!(s.hit, "Coördinatiepunt");
        assert_eq!(s.after, " Wijkverpleging opgezet.");
        let long = format!(
            "{} coördinatiepunt {}",
            "woord ".repeat(40),
            "verder ".repeat(40)
        );
        let s = snippet("x", &long, "coordinatiepunt").expect("found");
        assert!(s.before.starts_with('…') && s.before.chars().count() <= CONTEXT + 2);
        assert!(s.after.ends_with('…') && s.after.chars().count() <= CONTEXT + 2);
        assert_eq!(s.hit, "coördinatiepunt");
        assert!(snippet("x", text, "afwezig").is_none());
    }
}
