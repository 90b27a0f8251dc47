//! The profile schema: a custom attribute's definition and its rules. Values are checked
//! against these when profiles are edited (a later part of the Attributes issue).

use super::{FieldErrors, is_forbidden_char};

text_enum!(DataType {
    Text = "text": "Text",
    Number = "number": "Number",
    Boolean = "boolean": "Boolean",
    Date = "date": "Date",
    Options = "options": "Options",
    Email = "email": "Email",
    Phone = "phone": "Phone",
    Url = "url": "URL",
});

impl DataType {
    /// Types whose values are free text a pattern can constrain.
    pub fn takes_regex(self) -> bool {
        matches!(self, Self::Text | Self::Email | Self::Phone | Self::Url)
    }
}

/// Where a profile is edited: each has its column in the attribute grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Console,
    MyAccount,
    Registration,
}

/// How an attribute shows in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    pub displayed: bool,
    pub required: bool,
    pub read_only: bool,
}

impl Grid {
    /// The attribute's column for `place` (registration has no read-only: a new account has
    /// no values to show).
    pub fn in_place(&self, place: Place) -> Shown {
        let [displayed, required, read_only] = match place {
            Place::Console => self.console,
            Place::MyAccount => self.myaccount,
            Place::Registration => [self.registration[0], self.registration[1], false],
        };
        Shown { displayed, required, read_only }
    }
}

/// Keys the built-in attributes use; a custom attribute cannot take them.
pub const BUILT_IN: [&str; 5] = ["email", "username", "first_name", "last_name", "password"];

/// One choice of an options attribute.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// Where an attribute shows: displayed, required, read-only (no read-only for registration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Grid {
    pub console: [bool; 3],
    pub myaccount: [bool; 3],
    pub registration: [bool; 2],
}

/// What the Attributes form submits, unparsed.
#[derive(Debug, Clone, Default)]
pub struct AttributeInput {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub data_type: String,
    /// One choice per line: `value|Label`, or `Label` alone (the value is then the label).
    pub options: String,
    pub regex: String,
    pub display_order: String,
    pub unique: bool,
    pub grid: Grid,
}

/// A definition that satisfied every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeDefinition {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub data_type: DataType,
    pub options: Vec<Choice>,
    pub regex: Option<String>,
    pub display_order: i32,
    pub unique: bool,
    pub grid: Grid,
}

const MAX_OPTIONS: usize = 200;

pub fn parse_name(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim();
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !(3..=30).contains(&name.len()) || !ok_chars {
        return Err("Use 3 to 30 letters, digits or underscores.");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("Start the name with a letter.");
    }
    if BUILT_IN.contains(&name.to_ascii_lowercase().as_str()) {
        return Err("This name belongs to a built-in attribute.");
    }
    Ok(name.to_owned())
}

fn parse_options(raw: &str, errors: &mut FieldErrors) -> Vec<Choice> {
    let mut choices: Vec<Choice> = Vec::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (value, label) = match line.split_once('|') {
            Some((v, l)) => (v.trim(), l.trim()),
            None => (line, line),
        };
        if value.is_empty() || label.is_empty() || line.chars().any(is_forbidden_char) {
            errors.add("options", format!("“{line}” is not a choice: write value|Label or Label."));
            return choices;
        }
        if choices.iter().any(|c| c.value == value) {
            errors.add("options", format!("The value “{value}” is listed twice."));
            return choices;
        }
        choices.push(Choice { value: value.to_owned(), label: label.to_owned() });
    }
    if choices.is_empty() {
        errors.add("options", "List at least one choice, one per line.");
    } else if choices.len() > MAX_OPTIONS {
        errors.add("options", format!("At most {MAX_OPTIONS} choices."));
    }
    choices
}

/// The grid's rules: required needs displayed; read-only excludes required.
fn check_grid(grid: &Grid, errors: &mut FieldErrors) {
    let rows: [(&str, bool, bool, bool); 3] = [
        ("Console", grid.console[0], grid.console[1], grid.console[2]),
        ("My Account", grid.myaccount[0], grid.myaccount[1], grid.myaccount[2]),
        ("Self-registration", grid.registration[0], grid.registration[1], false),
    ];
    for (place, displayed, required, read_only) in rows {
        if required && !displayed {
            errors.add("grid", format!("{place}: a required attribute must be displayed."));
        }
        if required && read_only {
            errors.add("grid", format!("{place}: a read-only attribute cannot be required."));
        }
        if read_only && !displayed {
            errors.add("grid", format!("{place}: a read-only attribute must be displayed."));
        }
    }
}

impl AttributeDefinition {
    /// Checks every rule; `existing_name` is the immutable key when editing.
    pub fn parse(input: &AttributeInput, existing_name: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = match existing_name {
            Some(n) => n.to_owned(),
            None => parse_name(&input.name).map_err(|m| errors.add("name", m)).unwrap_or_default(),
        };
        let display_name = input.display_name.trim().to_owned();
        if display_name.is_empty() {
            errors.add("display_name", "Enter a display name.");
        } else if display_name.chars().count() > 60 {
            errors.add("display_name", "Use at most 60 characters for the display name.");
        } else if display_name.chars().any(is_forbidden_char) {
            errors.add("display_name", "A display name cannot contain control characters.");
        }
        let description = input.description.trim().to_owned();
        if description.chars().count() > 300 {
            errors.add("description", "A description has at most 300 characters.");
        }
        let data_type = DataType::parse(&input.data_type);
        if data_type.is_none() {
            errors.add("data_type", "Choose a data type.");
        }
        let options = match data_type {
            Some(DataType::Options) => parse_options(&input.options, &mut errors),
            _ => Vec::new(),
        };
        let regex = Some(input.regex.trim().to_owned()).filter(|r| !r.is_empty());
        if let (Some(pattern), Some(t)) = (&regex, data_type) {
            if !t.takes_regex() {
                errors.add("regex", "Only text, email, phone and URL attributes take a pattern.");
            } else if pattern.len() > 500 {
                errors.add("regex", "A pattern has at most 500 characters.");
            } else if let Err(e) = regex::RegexBuilder::new(pattern).size_limit(1 << 20).build() {
                let first = e.to_string().lines().last().unwrap_or("invalid").trim().to_owned();
                errors.add("regex", format!("This is not a valid pattern: {first}"));
            }
        }
        let display_order = match input.display_order.trim() {
            "" => 0,
            s => s.parse::<i32>().ok().filter(|n| (0..=9999).contains(n)).unwrap_or_else(|| {
                errors.add("display_order", "Use a whole number from 0 to 9999.");
                0
            }),
        };
        if input.unique && data_type == Some(DataType::Boolean) {
            errors.add("unique", "A yes/no attribute cannot be unique across customers.");
        }
        check_grid(&input.grid, &mut errors);
        match data_type {
            Some(data_type) if errors.is_empty() => Ok(Self {
                name,
                display_name,
                description,
                data_type,
                options,
                regex,
                display_order,
                unique: input.unique,
                grid: input.grid,
            }),
            _ => Err(errors),
        }
    }
}

/// A value that passed its attribute's rules: the text to store, and the key uniqueness compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeValue {
    pub value: String,
    pub key: String,
}

/// What a value is checked against (the stored definition's parts that matter for values).
pub struct ValueRules<'a> {
    pub display_name: &'a str,
    pub data_type: DataType,
    pub choices: &'a [Choice],
    pub regex: Option<&'a str>,
}

impl AttributeValue {
    /// Checks `raw` against the attribute: `Ok(None)` for an empty value (whether that is
    /// allowed is the caller's "required" rule). Booleans are never empty: unticked is false.
    pub fn parse(raw: &str, rules: &ValueRules<'_>) -> Result<Option<Self>, String> {
        let value = raw.trim();
        if rules.data_type == DataType::Boolean {
            let on = matches!(value, "on" | "true");
            let text = if on { "true" } else { "false" };
            return Ok(Some(Self { value: text.into(), key: text.into() }));
        }
        if value.is_empty() {
            return Ok(None);
        }
        if value.chars().count() > 500 || value.chars().any(is_forbidden_char) {
            return Err(format!(
                "{} has at most 500 characters, without control characters.",
                rules.display_name
            ));
        }
        let parsed = match rules.data_type {
            DataType::Text => Self { value: value.into(), key: value.to_lowercase() },
            DataType::Number => {
                let ok = value.parse::<f64>().is_ok_and(f64::is_finite)
                    && value.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '.'));
                if !ok {
                    return Err("Enter a number, like 42 or -3.5.".into());
                }
                Self { value: value.into(), key: value.into() }
            }
            DataType::Date => {
                let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                    .map_err(|_| "Enter a date as YYYY-MM-DD.".to_owned())?;
                let text = date.format("%Y-%m-%d").to_string();
                Self { key: text.clone(), value: text }
            }
            DataType::Options => match rules.choices.iter().find(|c| c.value == value) {
                Some(c) => Self { value: c.value.clone(), key: c.value.clone() },
                None => return Err("Choose one of the listed options.".into()),
            },
            DataType::Email => {
                let email = super::email::EmailAddress::parse(value).map_err(str::to_owned)?;
                Self { value: email.to_string(), key: email.to_string() }
            }
            DataType::Phone => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                let allowed = value.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
                if !allowed || !(5..=20).contains(&digits.len()) || value[1..].contains('+') {
                    return Err("Enter a phone number, like +44 20 7946 0958.".into());
                }
                let key = if value.starts_with('+') { format!("+{digits}") } else { digits };
                Self { value: value.into(), key }
            }
            DataType::Url => {
                let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
                if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
                    return Err("Enter a web address starting with https://.".into());
                }
                Self { value: value.into(), key: value.to_lowercase() }
            }
            DataType::Boolean => unreachable!("handled above"),
        };
        if let Some(pattern) = rules.regex.filter(|_| rules.data_type.takes_regex()) {
            let matches = regex::Regex::new(pattern).map(|r| r.is_match(value)).unwrap_or(false);
            if !matches {
                return Err(format!("{} is not in the expected form.", rules.display_name));
            }
        }
        Ok(Some(parsed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AttributeInput {
        AttributeInput {
            name: "loyalty_tier".into(),
            display_name: "Loyalty tier".into(),
            data_type: "options".into(),
            options: "gold|Gold\nsilver|Silver\nBronze".into(),
            display_order: "5".into(),
            grid: Grid { console: [true, true, false], ..Grid::default() },
            ..AttributeInput::default()
        }
    }

    #[test]
    fn a_good_definition_parses_with_its_choices() {
        let d = AttributeDefinition::parse(&input(), None).unwrap();
        assert_eq!(d.data_type, DataType::Options);
        assert_eq!(d.options[2], Choice { value: "Bronze".into(), label: "Bronze".into() });
        assert_eq!(d.display_order, 5);
    }

    #[test]
    fn a_missing_display_name_is_asked_for_and_a_long_one_is_said_so() {
        let empty = AttributeInput { display_name: "  ".into(), ..input() };
        let errors = AttributeDefinition::parse(&empty, None).unwrap_err();
        assert_eq!(errors.get("display_name"), Some("Enter a display name."));
        let long = AttributeInput { display_name: "x".repeat(61), ..input() };
        let errors = AttributeDefinition::parse(&long, None).unwrap_err();
        assert_eq!(
            errors.get("display_name"),
            Some("Use at most 60 characters for the display name.")
        );
    }

    #[test]
    fn names_are_keys() {
        for bad in ["ab", "9lives", "has space", "dash-ed", "email", "First_Name", &"a".repeat(31)]
        {
            assert!(parse_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_name(" tier_2 ").unwrap(), "tier_2");
    }

    #[test]
    fn the_grid_rules_hold() {
        let mut i = input();
        i.grid.myaccount = [false, true, false];
        let e = AttributeDefinition::parse(&i, None).unwrap_err();
        assert!(e.get("grid").unwrap().contains("must be displayed"));
        i.grid.myaccount = [true, true, true];
        let e = AttributeDefinition::parse(&i, None).unwrap_err();
        assert!(e.get("grid").unwrap().contains("cannot be required"));
        i.grid.myaccount = [true, false, true];
        assert!(AttributeDefinition::parse(&i, None).is_ok());
    }

    #[test]
    fn types_options_patterns_and_order_are_checked() {
        let mut i = input();
        i.options = "a|A\na|Again".into();
        assert!(AttributeDefinition::parse(&i, None).unwrap_err().get("options").is_some());
        i.options = String::new();
        assert!(AttributeDefinition::parse(&i, None).unwrap_err().get("options").is_some());
        let mut i = input();
        i.data_type = "text".into();
        i.regex = "[a-z".into();
        assert!(
            AttributeDefinition::parse(&i, None)
                .unwrap_err()
                .get("regex")
                .unwrap()
                .starts_with("This is not a valid pattern")
        );
        i.regex = "^[A-Z]{2}[0-9]+$".into();
        assert!(AttributeDefinition::parse(&i, None).is_ok());
        i.data_type = "date".into();
        assert!(AttributeDefinition::parse(&i, None).unwrap_err().get("regex").is_some());
        let mut i = input();
        i.data_type = "boolean".into();
        i.unique = true;
        assert!(AttributeDefinition::parse(&i, None).unwrap_err().get("unique").is_some());
        let mut i = input();
        i.display_order = "-1".into();
        assert!(AttributeDefinition::parse(&i, None).unwrap_err().get("display_order").is_some());
        i.data_type = "colour".into();
        assert!(AttributeDefinition::parse(&i, None).unwrap_err().get("data_type").is_some());
    }

    fn check(t: DataType, raw: &str) -> Result<Option<String>, String> {
        let choices = [Choice { value: "gold".into(), label: "Gold".into() }];
        let rules = ValueRules { display_name: "X", data_type: t, choices: &choices, regex: None };
        AttributeValue::parse(raw, &rules).map(|v| v.map(|v| v.value))
    }

    #[test]
    fn every_data_type_checks_its_values() {
        use DataType::*;
        assert_eq!(check(Text, "  hello ").unwrap().as_deref(), Some("hello"));
        assert_eq!(check(Text, "  ").unwrap(), None);
        assert!(check(Text, "bell\u{7}").is_err());
        assert!(
            check(Number, "-3.5").is_ok()
                && check(Number, "1e9").is_err()
                && check(Number, "ten").is_err()
        );
        assert_eq!(check(Boolean, "on").unwrap().as_deref(), Some("true"));
        assert_eq!(check(Boolean, "").unwrap().as_deref(), Some("false"));
        assert!(check(Date, "2026-02-30").is_err() && check(Date, "2026-02-28").is_ok());
        assert!(check(Options, "gold").is_ok() && check(Options, "Gold").is_err());
        assert_eq!(check(Email, "A@B.io").unwrap().as_deref(), Some("a@b.io"));
        assert!(check(Email, "nope").is_err());
        assert!(check(Phone, "+44 20 7946 0958").is_ok() && check(Phone, "call me").is_err());
        assert!(check(Phone, "12+34567").is_err());
        assert!(check(Url, "https://example.com/x").is_ok() && check(Url, "ftp://x").is_err());
        let rules = ValueRules {
            display_name: "Code",
            data_type: Text,
            choices: &[],
            regex: Some("^[A-Z]{2}[0-9]+$"),
        };
        assert!(AttributeValue::parse("AB12", &rules).is_ok());
        assert_eq!(
            AttributeValue::parse("ab12", &rules).unwrap_err(),
            "Code is not in the expected form."
        );
    }
}
