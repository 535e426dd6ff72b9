//! A small command-line parser for the examples (`chat_server`, `gateway`),
//! without dependencies: flags with a value (`--tls-cert FILE` or
//! `--tls-cert=FILE`), switches, and a bounded number of positionals.
//!
//! Anything else is refused: an unknown flag, a flag without its value, a
//! flag given twice, too many or too few positionals, an argument that is not
//! UTF-8. [`parse`] prints the reason and the usage on stderr and exits with
//! status 2; `--help` (or `-h`) prints the usage on stdout and exits 0. `--`
//! ends the flags: what follows is positional.
#![allow(dead_code)]

use std::ffi::OsString;

/// What a program accepts.
pub struct Spec {
    /// The program's name, for messages.
    pub program: &'static str,
    /// The whole usage text, printed for `--help` and after every refusal.
    pub usage: &'static str,
    /// Flags that take a value (`--tls-cert`).
    pub flags: &'static [&'static str],
    /// Flags that take none.
    pub switches: &'static [&'static str],
    /// At least this many positionals.
    pub min_positionals: usize,
    /// At most this many positionals.
    pub max_positionals: usize,
}

/// A parsed command line.
#[derive(Debug, Default)]
pub struct Args {
    /// The positionals, in order.
    pub positionals: Vec<String>,
    values: Vec<(&'static str, String)>,
    switches: Vec<&'static str>,
}

impl Args {
    /// The value given for `flag`, if it was given.
    pub fn value(&self, flag: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| *f == flag)
            .map(|(_, v)| v.as_str())
    }

    /// Whether switch `name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.switches.contains(&name)
    }

    /// Positional `i`, if given.
    pub fn positional(&self, i: usize) -> Option<&str> {
        self.positionals.get(i).map(String::as_str)
    }
}

/// Why a command line was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `--help` or `-h`: not an error.
    Help,
    /// A usage error, with the reason.
    Usage(String),
}

/// Parse `args` (without the program name) against `spec`.
pub fn try_parse(spec: &Spec, args: impl IntoIterator<Item = OsString>) -> Result<Args, Refusal> {
    let mut out = Args::default();
    let mut args = args.into_iter();
    let mut flags_done = false;
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|a| Refusal::Usage(format!("argument {a:?} is not UTF-8")))?;
        if flags_done || arg == "-" || !arg.starts_with('-') {
            if out.positionals.len() == spec.max_positionals {
                return Err(Refusal::Usage(format!("unexpected argument {arg:?}")));
            }
            out.positionals.push(arg);
            continue;
        }
        if arg == "--" {
            flags_done = true;
            continue;
        }
        if arg == "--help" || arg == "-h" {
            return Err(Refusal::Help);
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        if let Some(&flag) = spec.flags.iter().find(|f| **f == name) {
            let value = match inline {
                Some(value) => value,
                None => match args.next().map(OsString::into_string) {
                    Some(Ok(value)) if !value.starts_with("--") => value,
                    Some(Ok(value)) => {
                        return Err(Refusal::Usage(format!(
                            "{flag} needs a value (got the flag {value:?})"
                        )));
                    }
                    Some(Err(value)) => {
                        return Err(Refusal::Usage(format!(
                            "the value of {flag}, {value:?}, is not UTF-8"
                        )));
                    }
                    None => return Err(Refusal::Usage(format!("{flag} needs a value"))),
                },
            };
            if value.is_empty() {
                return Err(Refusal::Usage(format!("{flag} needs a value")));
            }
            if out.value(flag).is_some() {
                return Err(Refusal::Usage(format!("{flag} given twice")));
            }
            out.values.push((flag, value));
        } else if let Some(&switch) = spec.switches.iter().find(|s| **s == name) {
            if inline.is_some() {
                return Err(Refusal::Usage(format!("{switch} takes no value")));
            }
            if !out.has(switch) {
                out.switches.push(switch);
            }
        } else {
            return Err(Refusal::Usage(format!("unknown option {name:?}")));
        }
    }
    if out.positionals.len() < spec.min_positionals {
        return Err(Refusal::Usage("missing argument".to_owned()));
    }
    Ok(out)
}

/// Parse the process's arguments; on `--help` print the usage and exit 0,
/// on a usage error print why and the usage on stderr and exit 2.
pub fn parse(spec: &Spec) -> Args {
    match try_parse(spec, std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(Refusal::Help) => {
            print!("{}", spec.usage);
            std::process::exit(0);
        }
        Err(Refusal::Usage(why)) => refuse(spec, &why),
    }
}

/// Print `why` and the usage on stderr and exit 2 (for a check after
/// parsing, such as two flags that only go together).
pub fn refuse(spec: &Spec, why: &str) -> ! {
    eprint!("{}: {why}\n{}", spec.program, spec.usage);
    std::process::exit(2);
}
