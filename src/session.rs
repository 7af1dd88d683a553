//! A terminal session pasted whole: prompts, the commands typed and what each printed. Splits it into the calls
//! it made (curl, HTTPie and xh, PowerShell's `Invoke-RestMethod` and `Invoke-WebRequest`), each with its output,
//! and writes HTTPie and PowerShell calls as the curl command they amount to, so that one reader
//! ([`crate::input`]'s curl reader) reads every call. Variables the session sets (`export TOKEN=…`,
//! `$headers = @{…}`) are put in where the calls use them; those it does not set stay as written.

/// One call of a session: the command as curl, what it printed, and the tool it was typed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The command as a curl command line.
    pub curl: String,
    /// What the command printed, up to the next command (empty when nothing).
    pub output: String,
    /// `curl`, `HTTPie` or `PowerShell`.
    pub tool: &'static str,
    /// The variable the command's result was assigned to (`$auth = Invoke-RestMethod …` → `auth`).
    pub assigned: Option<String>,
}

/// A session: its calls in order, and how many commands it holds (statements that set variables included).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    /// The calls, in the order typed.
    pub calls: Vec<Call>,
    /// Commands in the session, calls and other statements.
    pub commands: usize,
    /// What the paste holds before its first command (an exception, the answer of a call made elsewhere), at
    /// most [`PREAMBLE_BYTES`].
    pub preamble: String,
    /// What the server's log printed (`kubectl logs …`, `docker logs …`, `journalctl …`), each with the number of
    /// calls made before it: the API's own words for a refusal its answer did not explain.
    pub server_logs: Vec<(usize, String)>,
    /// Variables set by a statement that is not a call (`TOKEN=$(az …)`, `export TOKEN=…`), each (lower case) with
    /// the number of calls made before it: a call after it that sends the variable sends that value.
    pub reassigned: Vec<(usize, String)>,
}

/// How much of the text before a session's first command is kept.
const PREAMBLE_BYTES: usize = 16 * 1024;

/// The tool a command line starts with (`curl`, `HTTPie`, `PowerShell`), when what follows it looks like a
/// command's arguments.
pub fn tool_of(command: &str) -> Option<&'static str> {
    let word_end = command.find(char::is_whitespace).unwrap_or(command.len());
    let word = command.get(..word_end)?;
    // A word followed by ` :` or `:` is PowerShell's error line (`Invoke-RestMethod : {…}`), not a command.
    let rest = command.get(word_end..).unwrap_or("").trim_start();
    if rest.is_empty() || rest.starts_with(':') {
        return None;
    }
    // What follows a command is a flag, a URL or a host (`-H`, `https://…`, `api.example.com/x`, `:3000/x`), or
    // for HTTPie a method: not prose ("curl works but…", "HTTP 403 Forbidden", "http request to …").
    // Line continuations (`curl \` then the flags on the next lines) are skipped.
    let next = rest
        .split_whitespace()
        .find(|w| !matches!(*w, "\\" | "^" | "`"))
        .unwrap_or("");
    let next = next.trim_matches(['\'', '"']);
    let argument = next.starts_with('-')
        || next.starts_with('\\')
        || next.starts_with(':')
        || next.starts_with('@')
        || next.starts_with('$')
        || next.contains("://")
        || next.contains('/') && !next.starts_with('/')
        || next.starts_with("localhost")
        || (next.contains('.') || next.contains(':'))
            && next
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:/_".contains(&b));
    // `curl \` alone: its arguments are on the next lines.
    let continued = rest
        .split_whitespace()
        .all(|w| matches!(w, "\\" | "^" | "`"));
    let argument = argument || continued;
    let method = crate::snippet::METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(next));
    match word {
        // Shell commands are typed in lower case.
        "curl" | "curl.exe" if argument => Some("curl"),
        "http" | "https" | "xh" | "xhs" if argument || method => Some("HTTPie"),
        _ => matches!(
            word.to_ascii_lowercase().as_str(),
            "invoke-restmethod" | "invoke-webrequest" | "irm" | "iwr"
        )
        .then_some("PowerShell"),
    }
}

/// The command of a line that starts with a shell prompt (`$ `, `% `, `user@host:~$ `, `PS C:\> `, `C:\> `), or
/// `None` when the line has no prompt.
fn after_prompt(line: &str) -> Option<&str> {
    let t = line.trim_start();
    // `PS C:\Users\me> `, or `PS> ` as documentation writes it.
    if let Some(rest) = t.strip_prefix("PS> ") {
        return Some(rest);
    }
    if let Some(rest) = t.strip_prefix("PS ") {
        let at = rest.find("> ")?;
        return rest.get(at.saturating_add(2)..);
    }
    // `C:\Users\me> ` (cmd.exe).
    let b = t.as_bytes();
    if b.get(1) == Some(&b':')
        && b.get(2) == Some(&b'\\')
        && b.first().is_some_and(u8::is_ascii_alphabetic)
    {
        let at = t.find('>')?;
        return t.get(at.saturating_add(1)..).map(str::trim_start);
    }
    // A prompt with spaces in it (`[jane@box ~]$ `, `(venv) $ `): up to the first `$ `, when what comes before
    // it is a prompt's characters.
    if let Some(at) = t.get(..t.len().min(60)).and_then(|h| h.find("$ ")) {
        let head = t.get(..at).unwrap_or("");
        if head.contains([' ', '[', '('])
            && head
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"@:~/[]()._- ".contains(&b))
        {
            return t.get(at.saturating_add(2)..).map(str::trim_start);
        }
    }
    // A POSIX prompt: `$`, `%`, `#`, `❯` or `➜` alone, or one word ending in `$`, `%` or `#` that names a user,
    // host or directory (`jane@box:~$`); then a space. curl's progress meter (`  % Total    % Received …`) is no
    // prompt.
    let word_end = t.find(' ')?;
    let word = t.get(..word_end)?;
    let rest = t.get(word_end.saturating_add(1)..)?.trim_start();
    // (`#` alone is more often a comment than a root prompt; `bash-5.1$` and `jane$` are shells' defaults.)
    let prompt = matches!(word, "$" | "%" | "❯" | "➜")
        || word.len() > 1
            && word.ends_with(['$', '%', '#'])
            && (word.contains(['@', ':', '~', '/'])
                || word.ends_with('$')
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._$".contains(&b)));
    (prompt && !rest.starts_with("Total")).then_some(rest)
}

/// Whether a line is a prompt with nothing typed after it (`$`, `PS C:\>`), as a session ends.
fn is_bare_prompt(line: &str) -> bool {
    let t = line.trim();
    matches!(t, "$" | "%" | "#" | "❯")
        || t.starts_with("PS ") && t.ends_with('>')
        || t.ends_with('$') && !t.contains(' ') && t.len() > 1 && t.contains(['@', ':'])
}

/// Whether the command goes on on the next line: a line continuation (`\`, `^`, `` ` ``) or an open quote.
fn continues(line: &str, quote: &mut Option<char>) -> bool {
    let mut chars = line.chars().peekable();
    let mut blank_before = true;
    while let Some(c) = chars.next() {
        // An unquoted ` #` starts a comment: its apostrophes open nothing.
        if quote.is_none() && c == '#' && blank_before {
            break;
        }
        blank_before = c.is_whitespace();
        match (*quote, c) {
            (None, '\'' | '"') => *quote = Some(c),
            (None, '\\') => {
                chars.next();
            }
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => *quote = None,
            _ => {}
        }
    }
    quote.is_some() || {
        let t = line.split(" #").next().unwrap_or(line).trim_end();
        t.ends_with('\\') || t.ends_with('^') || t.ends_with('`')
    }
}

/// A variable set by a statement: `export NAME=value`, `NAME=value`, `set NAME=value`, `$name = value`,
/// `$env:NAME = value`. The value is the text as written (quotes removed), a `@{…}` hash as written; `None` for
/// values computed when the session ran (`$(…)`).
/// A line of a script pasted without prompts that sets a variable the way a shell does it on its own line
/// (`$token = "eyJ…"`, `$headers = @{…}`, `export TOKEN=…`, `set TOKEN=…`): a statement of the session, so that
/// the calls after it read the variable. Output lines do not start that way.
fn script_assignment(line: &str) -> Option<&str> {
    let t = line.trim();
    let shaped = t
        .strip_prefix('$')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphabetic()) && r.contains(" = "))
        || t.starts_with("export ")
        || t.starts_with("set ");
    (shaped && (assignment(t).is_some() || assigned_call(t).is_some())).then_some(t)
}

/// The name a statement assigns to (`$auth = …` → `auth`, `export TOKEN=…` → `TOKEN`).
fn assignment_name(statement: &str) -> Option<String> {
    let (name, _) = statement.trim().split_once('=')?;
    let name = name
        .trim()
        .trim_start_matches("export ")
        .trim_start_matches('$');
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then(|| name.to_string())
}

/// The call whose result a statement assigns to a variable (`$auth = Invoke-RestMethod …`, `TOKEN=$(curl …)`):
/// the variable's name ([`assignment_name`]) and the command after `=` (inside `$(…)`), when it is one [`tool_of`]
/// knows.
fn assigned_call(statement: &str) -> Option<(String, &str)> {
    let name = assignment_name(statement)?;
    let (_, value) = statement.trim().split_once('=')?;
    let value = value.trim();
    let value = value
        .strip_prefix("$(")
        .and_then(|v| v.strip_suffix(')'))
        .unwrap_or(value)
        .trim();
    tool_of(value).map(|_| (name, value))
}

fn assignment(statement: &str) -> Option<(String, String)> {
    let t = statement.trim();
    let t = t
        .strip_prefix("export ")
        .or_else(|| t.strip_prefix("set "))
        .unwrap_or(t)
        .trim_start();
    let (name, value) = t.split_once('=')?;
    let name = name.trim();
    let name = name
        .strip_prefix("$env:")
        .or_else(|| name.strip_prefix('$'))
        .unwrap_or(name);
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let value = value.trim();
    let first_word = value.split_whitespace().next().unwrap_or("");
    if value.starts_with("$(")
        || value.starts_with('`')
        || value.starts_with('(')
        || tool_of(value).is_some()
        || first_word.to_ascii_lowercase().starts_with("invoke-")
        || first_word.contains("-Object")
    {
        return None;
    }
    if value.starts_with("@{") {
        return Some((name.to_string(), value.to_string()));
    }
    let (words, _) = crate::input::shell_words(value);
    Some((
        name.to_string(),
        words.into_iter().next().unwrap_or_default(),
    ))
}

/// A command that prints one variable (`echo $TOKEN`, `echo "${TOKEN}"`) and the one word it printed: the
/// variable's name (lower case) and value. `None` when the output is not one word.
fn echoed_variable(command: &str, output: &str) -> Option<(String, String)> {
    let rest = command.trim().strip_prefix("echo ")?.trim();
    let rest = rest.trim_matches('"');
    let name = rest
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| rest.strip_prefix('$'))?;
    let value = output.trim();
    // Not a value shortened or hidden when pasted (`ya29.a0AfB...`, `***`, `<redacted>`).
    let shortened = ["...", "…", "***", "<", "[", "redacted"]
        .iter()
        .any(|m| value.to_ascii_lowercase().contains(m));
    (!name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && value.len() >= 16
        && !shortened
        && !value.contains(char::is_whitespace))
    .then(|| (name.to_ascii_lowercase(), value.to_string()))
}

/// Whether a command prints a server's log: `kubectl logs`, `oc logs`, `docker logs`, `podman logs`, `journalctl`.
fn server_log(command: &str) -> bool {
    let mut words = command.split_whitespace();
    match words.next() {
        Some("kubectl" | "oc" | "docker" | "podman") => words.any(|w| w == "logs"),
        Some("journalctl") => true,
        _ => false,
    }
}

/// The variables a session set, by name (case-insensitive, as PowerShell and cmd read them); the last wins.
type Vars = std::collections::HashMap<String, String>;

/// `text` with the variables the session set put in (`$NAME`, `${NAME}`, `$env:NAME`, cmd's `%NAME%`); others
/// stay as written, and so does anything in single quotes, which neither bash nor PowerShell expands.
fn expand(text: &str, vars: &Vars) -> String {
    if vars.is_empty() || !text.contains(['$', '%']) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut single = false;
    let mut double = false;
    while let Some(c) = rest.chars().next() {
        let after = rest.get(c.len_utf8()..).unwrap_or("");
        match c {
            '\'' if !double => {
                single = !single;
                out.push(c);
                rest = after;
            }
            '"' if !single => {
                double = !double;
                out.push(c);
                rest = after;
            }
            '$' if !single => {
                let (braced, body) = match after.strip_prefix('{') {
                    Some(b) => (true, b),
                    None => (false, after.strip_prefix("env:").unwrap_or(after)),
                };
                let name_len = body
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count();
                let name = body.get(..name_len).unwrap_or("").to_ascii_lowercase();
                let closed = !braced || body.get(name_len..).is_some_and(|r| r.starts_with('}'));
                match vars.get(&name).filter(|_| closed && !name.is_empty()) {
                    Some(value) => {
                        out.push_str(value);
                        let used = (after.len().saturating_sub(body.len()))
                            .saturating_add(name_len)
                            .saturating_add(usize::from(braced));
                        rest = after.get(used..).unwrap_or("");
                    }
                    None => {
                        out.push('$');
                        rest = after;
                    }
                }
            }
            '%' if !single => {
                // cmd: `%NAME%`.
                let name_len = after
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count();
                let name = after.get(..name_len).unwrap_or("").to_ascii_lowercase();
                match vars.get(&name).filter(|_| {
                    !name.is_empty() && after.get(name_len..).is_some_and(|r| r.starts_with('%'))
                }) {
                    Some(value) => {
                        out.push_str(value);
                        rest = after.get(name_len.saturating_add(1)..).unwrap_or("");
                    }
                    None => {
                        out.push('%');
                        rest = after;
                    }
                }
            }
            _ => {
                // Up to the next character that matters, in one step.
                let next = after.find(['\'', '"', '$', '%']).unwrap_or(after.len());
                out.push(c);
                out.push_str(after.get(..next).unwrap_or(""));
                rest = after.get(next..).unwrap_or("");
            }
        }
    }
    out
}

/// Splits a paste into a session, or `None` when it is not one: it needs a call (curl, HTTPie, PowerShell) and
/// more than a lone curl command (a second command, output, or a tool other than curl).
pub fn read(text: &str) -> Option<Session> {
    if !text.contains('\n') {
        // One line: only an HTTPie or PowerShell command needs this reader (curl has its own).
        let command = after_prompt(text).unwrap_or(text).trim();
        if !matches!(tool_of(command), Some("HTTPie" | "PowerShell")) {
            return None;
        }
    }
    let mut commands: Vec<(String, String)> = Vec::new(); // (command, output)
    let mut preamble = String::new();
    let mut echoes: Vec<String> = Vec::new();
    let mut quote: Option<char> = None;
    let mut open = false;
    let mut closed = false;
    for line in text.lines() {
        if open {
            if let Some((cmd, _)) = commands.last_mut() {
                cmd.push('\n');
                cmd.push_str(line);
            }
            open = continues(line, &mut quote);
            continue;
        }
        if is_bare_prompt(line) {
            // The prompt the session ended on: nothing typed, and nothing of the last command's output follows.
            open = false;
            closed = true;
            continue;
        }
        // A flag on a line of its own right after a command is the command's still (a continuation lost in the
        // copy), not its output.
        if let Some((cmd, _)) = commands.last_mut().filter(|(_, o)| o.is_empty() && !closed) {
            let t = line.trim_start();
            let flag = t.starts_with("--")
                || t.starts_with('-') && t.chars().nth(1).is_some_and(|c| c.is_ascii_alphabetic());
            let unquoted = t.trim_start_matches(['"', '\'']);
            let url = unquoted.starts_with("https://") || unquoted.starts_with("http://");
            if (flag || url) && tool_of(cmd.trim()).is_some() {
                cmd.push('\n');
                cmd.push_str(line);
                open = continues(line, &mut quote);
                continue;
            }
        }
        let prompted = after_prompt(line);
        let command = prompted
            .filter(|c| !c.trim().is_empty())
            .or_else(|| tool_of(line.trim_start()).map(|_| line.trim_start()))
            .or_else(|| script_assignment(line));
        match command {
            Some(c) => {
                quote = None;
                closed = false;
                open = continues(c, &mut quote);
                commands.push((c.to_string(), String::new()));
            }
            None => {
                // PowerShell repeats the failed command in its error: `+ Invoke-RestMethod …` (5.1) or
                // `   1 |  Invoke-RestMethod …` (7). Kept for a paste that holds only the error.
                let t = line.trim_start();
                let echo = t
                    .strip_prefix("+ ")
                    .or_else(|| {
                        t.split_once(" |  ")
                            .filter(|(n, _)| {
                                n.trim().bytes().all(|b| b.is_ascii_digit()) && !n.trim().is_empty()
                            })
                            .map(|(_, c)| c)
                    })
                    .map(str::trim)
                    .filter(|c| tool_of(c).is_some() && !c.ends_with("..."));
                if let Some(e) = echo {
                    echoes.push(e.to_string());
                }
                if let Some((_, out)) = commands.last_mut().filter(|_| !closed) {
                    out.push_str(line);
                    out.push('\n');
                } else if commands.is_empty()
                    && preamble.len().saturating_add(line.len()) < PREAMBLE_BYTES
                {
                    preamble.push_str(line);
                    preamble.push('\n');
                }
            }
        }
    }
    let mut vars = Vars::new();
    // What `cat file` (`type`, `Get-Content`) printed, by file: a later `curl -H @file` sends those header lines.
    let mut files: Vec<(String, String)> = Vec::new();
    let mut session = Session {
        commands: commands.len(),
        preamble,
        ..Session::default()
    };
    for (command, output) in &commands {
        // `$auth = Invoke-RestMethod …`, `TOKEN=$(curl …)`: the call is the command after `=`.
        let (command, assigned) = match tool_of(command.trim()) {
            Some(_) => (command.as_str(), None),
            None => match assigned_call(command) {
                Some((name, call)) => (call, Some(name)),
                None => (command.as_str(), None),
            },
        };
        let Some(tool) = tool_of(command.trim()) else {
            if let Some(name) = assignment_name(command) {
                session
                    .reassigned
                    .push((session.calls.len(), name.to_ascii_lowercase()));
            }
            if let Some((n, v)) = assignment(command) {
                let v = expand(&v, &vars);
                vars.insert(n.to_ascii_lowercase(), v);
            } else if let Some((n, v)) = echoed_variable(command, output) {
                // `TOKEN=$(az …)` then `echo $TOKEN`: what it printed is the value the session set.
                vars.insert(n, v);
            } else if let Some(file) = printed_file(command).filter(|_| !output.trim().is_empty()) {
                files.push((file, output.clone()));
            } else if server_log(command) && !output.trim().is_empty() {
                session
                    .server_logs
                    .push((session.calls.len(), output.clone()));
            }
            continue;
        };
        let powershell_curl = tool == "curl"
            && command.split_whitespace().any(|w| {
                ["-uri", "-headers", "-method"].contains(&w.to_ascii_lowercase().as_str())
            });
        let curl = match tool {
            "HTTPie" => httpie_as_curl(command, &vars),
            "PowerShell" => powershell_as_curl(command, &vars),
            // Windows PowerShell 5.1's `curl` is Invoke-WebRequest.
            _ if powershell_curl => powershell_as_curl(command, &vars),
            _ => header_files(&expand(command, &vars), &files),
        };
        session.calls.push(Call {
            curl,
            output: output.trim().to_string(),
            tool: if powershell_curl { "PowerShell" } else { tool },
            assigned,
        });
    }
    if session.calls.is_empty() {
        // Only PowerShell's error, with the command it repeats: the error is the call's output.
        let echo = echoes.last()?;
        let tool = tool_of(echo)?;
        session.calls.push(Call {
            curl: if tool == "curl" {
                echo.clone()
            } else if tool == "HTTPie" {
                httpie_as_curl(echo, &vars)
            } else {
                powershell_as_curl(echo, &vars)
            },
            output: text.trim().to_string(),
            tool,
            assigned: None,
        });
        session.commands = session.commands.max(1);
    }
    let lone_curl = session.commands == 1
        && session
            .calls
            .first()
            .is_some_and(|c| c.tool == "curl" && c.output.is_empty());
    (!lone_curl).then_some(session)
}

/// The file a command prints, when it is `cat`, `type`, `more`, `Get-Content` or `gc` of one file (`./` taken off).
fn printed_file(command: &str) -> Option<String> {
    let (words, _) = crate::input::shell_words(command.trim());
    match words.as_slice() {
        [tool, file]
            if ["cat", "type", "more", "get-content", "gc"]
                .contains(&tool.to_ascii_lowercase().as_str()) =>
        {
            Some(file.trim_start_matches("./").to_string())
        }
        _ => None,
    }
}

/// A curl command with each `-H @file` whose file the session printed (`files`: file, what it printed) replaced by
/// that file's header lines as `-H` flags: curl sends the file's lines as headers.
fn header_files(command: &str, files: &[(String, String)]) -> String {
    if files.is_empty() || !command.contains('@') {
        return command.to_string();
    }
    let mut out = command.to_string();
    // The latest printout of a file first: it is what the file held when the call ran.
    for (file, printed) in files.iter().rev() {
        let flags: Vec<String> = printed
            .lines()
            .map(str::trim)
            .filter(|l| {
                l.split_once(':').is_some_and(|(n, _)| {
                    !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
            })
            .map(crate::livecheck::sh_quote)
            .collect();
        if flags.is_empty() {
            continue;
        }
        let replacement = flags.join(" -H ");
        for name in [file.clone(), format!("./{file}")] {
            for raw in [
                format!("@{name}"),
                format!("@\"{name}\""),
                format!("@'{name}'"),
                format!("\"@{name}\""),
                format!("'@{name}'"),
            ] {
                // The word after `-H` / `--header` (or `-H@file`), ending where the word ends.
                let at = out.match_indices(raw.as_str()).map(|(i, _)| i).find(|&i| {
                    let before = out.get(..i).unwrap_or("");
                    let after = out.get(i.saturating_add(raw.len())..).unwrap_or("");
                    let flag = before.ends_with("-H")
                        || before.trim_end().ends_with(" -H")
                        || before.trim_end().ends_with("--header");
                    flag && after.chars().next().is_none_or(char::is_whitespace)
                });
                if let Some(i) = at {
                    let prefix = out.get(..i).unwrap_or("");
                    let space = if prefix.ends_with("-H") { " " } else { "" };
                    out = format!(
                        "{prefix}{space}{replacement}{}",
                        out.get(i.saturating_add(raw.len())..).unwrap_or("")
                    );
                }
            }
        }
    }
    out
}

/// A hash value as PowerShell reads it: variables put in unless single-quoted, then the quotes taken off.
fn value_of(raw: &str, vars: &Vars) -> String {
    unquote(&expand(raw, vars)).to_string()
}

/// A value in single or double quotes without them.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The entries of a PowerShell hash literal `@{ Name = "value"; Other = 'x' }`, names and values unquoted.
fn hash_entries(hash: &str) -> Vec<(String, String)> {
    let inner = hash
        .trim()
        .strip_prefix("@{")
        .unwrap_or(hash)
        .trim_end()
        .strip_suffix('}')
        .unwrap_or(hash);
    let mut entries = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut flush = |current: &mut String| {
        if let Some((n, v)) = current.split_once('=') {
            // The value as written, quotes kept: a single-quoted value is not expanded (see `value_of`).
            entries.push((unquote(n).to_string(), v.trim().to_string()));
        }
        current.clear();
    };
    let mut depth: usize = 0;
    for c in inner.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            // A nested hash (`Headers = @{ … }`) or expression stays whole.
            (None, '{' | '(') => {
                depth = depth.saturating_add(1);
                current.push(c);
            }
            (None, '}' | ')') => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            (None, ';' | '\n') if depth == 0 => flush(&mut current),
            _ => current.push(c),
        }
    }
    flush(&mut current);
    entries
}

/// Splits a PowerShell command into words: quotes kept off, `@{…}` kept whole, `$var` left as written.
fn powershell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut depth: usize = 0;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                if depth > 0 {
                    cur.push(c);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                if depth > 0 {
                    cur.push(c);
                }
            }
            (None, '@') if chars.peek() == Some(&'{') => {
                cur.push('@');
            }
            // `@{…}` hashes and `(…)` expressions stay one word.
            (None, '{' | '(') => {
                depth = depth.saturating_add(1);
                cur.push(c);
            }
            (None, '}' | ')') => {
                depth = depth.saturating_sub(1);
                cur.push(c);
            }
            // A backtick ends the line (a continuation) or escapes the next character.
            (None, '`') => {
                if let Some(n) = chars.next() {
                    if n != '\n' && n != '\r' {
                        cur.push(n);
                    }
                }
            }
            (None, c) if c.is_whitespace() && depth == 0 => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// A curl command line for `curl`'s words: each quoted for the curl reader.
fn curl_line(
    method: Option<&str>,
    url: &str,
    headers: &[(String, String)],
    data: &[String],
) -> String {
    let q = crate::livecheck::sh_quote;
    let mut line = String::from("curl");
    if let Some(m) = method {
        line.push_str(" -X ");
        line.push_str(&q(m));
    }
    line.push(' ');
    line.push_str(&q(url));
    for (n, v) in headers {
        line.push_str(" -H ");
        line.push_str(&q(&format!("{n}: {v}")));
    }
    for d in data {
        line.push_str(" -d ");
        line.push_str(&q(d));
    }
    line
}

/// A PowerShell `Invoke-RestMethod` / `Invoke-WebRequest` call as curl: `-Uri` (or the first word), `-Method`,
/// `-Headers` (a hash, or a variable the session set to one), `-Body`, `-Token` with `-Authentication Bearer`.
fn powershell_as_curl(command: &str, vars: &Vars) -> String {
    // Splatting (`Invoke-RestMethod @params`): the hash the session set gives the parameters.
    let mut words: Vec<String> = Vec::new();
    for w in powershell_words(command) {
        let splat = w
            .strip_prefix('@')
            .filter(|n| !n.starts_with('{'))
            .and_then(|n| vars.get(&n.to_ascii_lowercase()))
            .filter(|h| h.trim_start().starts_with("@{"));
        match splat {
            Some(h) => {
                for (k, v) in hash_entries(h) {
                    words.push(format!("-{k}"));
                    // A nested hash stays as written; a value loses its quotes as PowerShell reads it.
                    words.push(if v.starts_with("@{") {
                        v
                    } else {
                        value_of(&v, vars)
                    });
                }
            }
            None => words.push(w),
        }
    }
    let mut url = None;
    let mut method = None;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut bearer = false;
    let mut token = None;
    let mut iter = words.iter().skip(1);
    let lookup = |w: &str| -> String {
        let name = w
            .strip_prefix(['$', '@'])
            .unwrap_or("")
            .to_ascii_lowercase();
        vars.get(&name).cloned().unwrap_or_else(|| w.to_string())
    };
    while let Some(w) = iter.next() {
        let lower = w.to_ascii_lowercase();
        let (flag, inline) = match lower.split_once(':') {
            Some((f, _)) if f.starts_with('-') => {
                (f.to_string(), w.split_once(':').map(|(_, v)| v.to_string()))
            }
            _ => (lower.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| iter.next().cloned());
        match flag.as_str() {
            "-uri" | "-url" => url = value(),
            "-method" => method = value(),
            "-headers" => {
                if let Some(h) = value() {
                    let h = if h.starts_with('$') { lookup(&h) } else { h };
                    for (n, v) in hash_entries(&h) {
                        headers.push((n, value_of(&v, vars)));
                    }
                }
            }
            "-body" => {
                if let Some(b) = value() {
                    let b = if b.starts_with('$') { lookup(&b) } else { b };
                    if b.trim_start().starts_with("@{") {
                        let form: Vec<String> = hash_entries(&b)
                            .into_iter()
                            .map(|(n, v)| format!("{n}={}", value_of(&v, vars)))
                            .collect();
                        data.push(form.join("&"));
                    } else {
                        data.push(expand(&b, vars));
                    }
                }
            }
            "-authentication" => {
                bearer = value().is_some_and(|v| {
                    v.eq_ignore_ascii_case("bearer") || v.eq_ignore_ascii_case("oauth")
                })
            }
            "-token" => token = value(),
            "-contenttype"
            | "-outfile"
            | "-timeoutsec"
            | "-proxy"
            | "-sessionvariable"
            | "-websession"
            | "-credential"
            | "-useragent"
            | "-maximumredirection" => {
                let _ = value();
            }
            f if f.starts_with('-') => {}
            _ => {
                if url.is_none() {
                    url = Some(w.clone());
                }
            }
        }
    }
    if bearer
        && !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    {
        if let Some(t) = token {
            // `-Token (ConvertTo-SecureString "…" -AsPlainText …)`: the string it converts.
            let t = expand(&t, vars);
            let plain = t
                .split(['"', '\''])
                .nth(1)
                .filter(|_| t.to_ascii_lowercase().contains("convertto-securestring"))
                .map_or(t.clone(), str::to_string);
            headers.push(("Authorization".into(), format!("Bearer {plain}")));
        }
    }
    let url = expand(url.as_deref().unwrap_or(""), vars);
    let method = method.map(|m| m.to_ascii_uppercase());
    curl_line(method.as_deref(), &url, &headers, &data)
}

/// An HTTPie (or xh) call as curl: `http [flags] [METHOD] URL [Header:value | name==query | name=data | name:=json]`,
/// with `--auth-type bearer --auth TOKEN` (`-A bearer -a TOKEN`) as the Authorization header.
fn httpie_as_curl(command: &str, vars: &Vars) -> String {
    let (words, _) = crate::input::shell_words(&expand(command, vars));
    let https = words
        .first()
        .is_some_and(|w| w.eq_ignore_ascii_case("https") || w.eq_ignore_ascii_case("xhs"));
    let mut method: Option<String> = None;
    let mut url: Option<String> = None;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut query: Vec<String> = Vec::new();
    let mut auth: Option<String> = None;
    let mut auth_type: Option<String> = None;
    let mut iter = words.iter().skip(1);
    while let Some(w) = iter.next() {
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| iter.next().cloned());
        match flag {
            "-a" | "--auth" => auth = value(),
            // xh: `--bearer TOKEN`.
            "--bearer" => {
                auth = value();
                auth_type = Some("bearer".into());
            }
            "-A" | "--auth-type" => auth_type = value(),
            "-p"
            | "--print"
            | "--timeout"
            | "--session"
            | "--session-read-only"
            | "--verify"
            | "-o"
            | "--output"
            | "--cert"
            | "--cert-key"
            | "--proxy"
            | "--pretty"
            | "-s"
            | "--style"
            | "--ssl" => {
                let _ = value();
            }
            f if f.starts_with('-') && f.len() > 1 => {}
            _ if url.is_none()
                && method.is_none()
                && w.len() <= 7
                && w.bytes().all(|b| b.is_ascii_alphabetic())
                && crate::snippet::METHODS
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(w)) =>
            {
                method = Some(w.to_ascii_uppercase());
            }
            _ if url.is_none() => url = Some(w.clone()),
            item => {
                // The first separator decides: `:` a header, `==` a query parameter, `=` or `:=` data.
                let at = item.find([':', '=', '@']).unwrap_or(item.len());
                let (name, rest) = item.split_at(at);
                if let Some(v) = rest.strip_prefix("==") {
                    query.push(format!("{name}={v}"));
                } else if let Some(v) = rest.strip_prefix(":=").or_else(|| rest.strip_prefix('=')) {
                    data.push(format!("{name}={v}"));
                } else if let Some(v) = rest.strip_prefix(':') {
                    headers.push((name.to_string(), v.trim().to_string()));
                }
            }
        }
    }
    if let Some(a) = auth {
        if auth_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
        {
            headers.push(("Authorization".into(), format!("Bearer {a}")));
        } else {
            headers.push(("Authorization".into(), "Basic (user:password)".into()));
        }
    }
    let mut url = url.unwrap_or_default();
    if url.starts_with(':') {
        url = format!("http://localhost{url}");
    } else if !url.contains("://") {
        url = format!("{}://{url}", if https { "https" } else { "http" });
    }
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query.join("&"));
    }
    curl_line(method.as_deref(), &url, &headers, &data)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_session_splits_into_its_calls_with_their_output() {
        let s = read("$ curl -s https://a.example/me -H 'Authorization: Bearer t1'\n{\"name\":\"x\"}\n$ curl -X DELETE \\\n  https://a.example/q/1 -H 'Authorization: Bearer t1'\n{\"status\":403}\n$\n").unwrap_or_default();
        assert_eq!(s.commands, 2);
        let outputs: Vec<&str> = s.calls.iter().map(|c| c.output.as_str()).collect();
        assert_eq!(outputs, ["{\"name\":\"x\"}", "{\"status\":403}"]);
        assert!(
            s.calls
                .get(1)
                .is_some_and(|c| c.curl.contains("https://a.example/q/1"))
        );
    }

    #[test]
    fn a_lone_curl_command_is_left_to_the_curl_reader() {
        assert_eq!(
            read("curl https://a.example/me \\\n -H 'Authorization: Bearer t'"),
            None
        );
        assert_eq!(read("curl https://a.example/me -d '{\n\"a\": 1\n}'"), None);
        assert_eq!(read("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."), None);
        // With its output, it is a session.
        assert!(read("curl https://a.example/me\n{\"error\":\"x\"}").is_some());
    }

    /// Asserts that the first call read from `text` holds `part` in the curl command it amounts to.
    fn assert_first_curl_has(text: &str, part: &str) {
        let s = read(text).unwrap_or_default();
        assert!(
            s.calls.first().is_some_and(|c| c.curl.contains(part)),
            "{s:?}"
        );
    }

    #[test]
    fn a_server_log_after_a_call_is_kept() {
        assert!(server_log("kubectl logs deploy/orders-api --tail=50"));
        assert!(server_log("journalctl -u orders"));
        assert!(!server_log("kubectl get pods"));
        assert!(!server_log("echo logs"));
        let s = read("$ curl -s -o /dev/null -w '%{http_code}' https://a.example/x\n401\n$ kubectl logs deploy/api\nfail: IDX10214: Audience validation failed.").unwrap_or_default();
        assert_eq!(s.server_logs.len(), 1);
        assert_eq!(s.server_logs.first().map(|(n, _)| *n), Some(1));
    }

    #[test]
    fn an_echoed_variable_is_the_value_it_printed() {
        assert_eq!(
            echoed_variable("echo \"$TOKEN\"", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n"),
            Some(("token".into(), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln".into()))
        );
        assert_eq!(
            echoed_variable("echo ${T}", "abcdefghijklmnop"),
            Some(("t".into(), "abcdefghijklmnop".into()))
        );
        assert_eq!(echoed_variable("echo $TOKEN", "two words"), None);
        // Shortened or hidden when pasted: not the value.
        assert_eq!(echoed_variable("echo $TOKEN", "ya29.a0AfB_byC..."), None);
        assert_eq!(echoed_variable("echo $TOKEN", "abc"), None);
        assert_eq!(echoed_variable("echo hello", "hello"), None);
        let s = read("$ TOKEN=$(az account get-access-token --query accessToken -o tsv)\n$ echo $TOKEN\neyJhbGciOiJSUzI1NiJ9.e30.c2ln\n$ curl -H \"Authorization: Bearer $TOKEN\" https://a.example/me\n401").unwrap_or_default();
        assert!(
            s.calls
                .last()
                .is_some_and(|c| c.curl.contains("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")),
            "{:?}",
            s.calls
        );
    }

    #[test]
    fn variables_the_session_sets_are_put_in() {
        assert_first_curl_has(
            "$ export TOKEN=abc.def\n$ curl https://a.example/me -H \"Authorization: Bearer $TOKEN\"\n401",
            "Bearer abc.def",
        );
        // Computed when the session ran: left as written.
        assert_first_curl_has(
            "$ TOKEN=$(cat t)\n$ curl https://a.example/me -H \"Authorization: Bearer ${TOKEN}\"\n401",
            "Bearer ${TOKEN}",
        );
    }

    #[test]
    fn header_files_the_session_printed_are_put_in() {
        let cat = "$ cat ./hdrs.txt\nAuthorization: Bearer abc.def\nAccept: application/json\n";
        for call in [
            "curl -H @hdrs.txt https://a.example/me",
            "curl -H@hdrs.txt https://a.example/me",
            "curl --header '@./hdrs.txt' https://a.example/me",
            "curl -H @\"hdrs.txt\" https://a.example/me",
        ] {
            let s = read(&format!("{cat}$ {call}\n401")).unwrap_or_default();
            let curl = s.calls.first().map(|c| c.curl.as_str()).unwrap_or("");
            assert!(
                curl.contains(" 'Authorization: Bearer abc.def' -H 'Accept: application/json' https://a.example/me"),
                "{call}: {curl}"
            );
        }
        // Data from a file, and a header file the session did not print, stay as written.
        assert_first_curl_has(
            &format!("{cat}$ curl -d @hdrs.txt https://a.example/me\n401"),
            "-d @hdrs.txt",
        );
        assert_first_curl_has(
            &format!("{cat}$ curl -H @other.txt https://a.example/me\n401"),
            "-H @other.txt",
        );
        assert_eq!(
            printed_file("Get-Content token.txt").as_deref(),
            Some("token.txt")
        );
        assert_eq!(printed_file("cat a b"), None);
    }

    #[test]
    fn prose_and_progress_meters_are_no_commands() {
        // A line starting with `http`, `HTTP` or `curl` that is prose (review of 2026-11-24).
        for text in [
            "GET https://api.example.com/v1/items\nAuthorization: Bearer abc.def.ghi\nHTTP 403 Forbidden",
            "Authorization: Bearer abc\nhttp request to https://api.example.com fails with 403",
            "curl works but my app fails, here is the header:\nAuthorization: Bearer abc",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
        // curl's progress meter is output, not a prompt; a dash line with an apostrophe is output too.
        let s = read("$ curl https://a.example/v1/items -H 'Authorization: Bearer t'\n  % Total    % Received % Xferd\n{\"error\":\"x\"}").unwrap_or_default();
        assert_eq!(s.commands, 1);
        let s = read("$ curl https://a.example/v1/me -H 'Authorization: Bearer t'\n- you don't have access\n$ curl https://a.example/v1/items -H 'Authorization: Bearer t'\n{\"error\":\"insufficient_scope\"}").unwrap_or_default();
        assert_eq!(s.commands, 2, "{s:?}");
    }

    #[test]
    fn single_quotes_keep_a_variable_as_written() {
        assert_first_curl_has(
            "$ export TOKEN=abc.def\n$ curl https://a.example/me -H 'Authorization: Bearer $TOKEN'\n401",
            "Bearer $TOKEN",
        );
        // cmd's %NAME%.
        assert_first_curl_has(
            "C:\\work>set TOKEN=abc.def\nC:\\work>curl -H \"Authorization: Bearer %TOKEN%\" https://a.example/me\n401",
            "Bearer abc.def",
        );
    }

    #[test]
    fn powershell_calls_read_as_curl() {
        let s = read("PS C:\\> $headers = @{ Authorization = \"Bearer abc\"; Accept = 'application/json' }\nPS C:\\> Invoke-RestMethod -Uri https://a.example/me -Headers $headers -Method Post\nInvoke-RestMethod : {\"status\":401}").unwrap_or_default();
        let c = s.calls.first().map(|c| c.curl.clone()).unwrap_or_default();
        assert_eq!(
            c,
            "curl -X 'POST' 'https://a.example/me' -H 'Authorization: Bearer abc' -H 'Accept: application/json'"
        );
        // Only the error, repeating the command.
        let s = read("Invoke-RestMethod : {\"error\":{}}\nAt line:1 char:1\n+ Invoke-RestMethod -Uri 'https://a.example/g' -Headers @{Authorization=\"Bearer xyz\"}\n+ ~~~").unwrap_or_default();
        assert!(
            s.calls
                .first()
                .is_some_and(|c| c.curl.contains("Bearer xyz")
                    && c.output.starts_with("Invoke-RestMethod :")),
            "{s:?}"
        );
        // A variable the session does not set stays as written.
        assert_first_curl_has(
            "PS> Invoke-RestMethod https://a.example/me -Headers @{ Authorization = \"Bearer $token\" }\n",
            "Bearer $token",
        );
    }

    #[test]
    fn httpie_calls_read_as_curl() {
        let s = read("$ http GET https://a.example/me \"Authorization:Bearer abc\" q==1\nHTTP/1.1 401 Unauthorized\n\n{}").unwrap_or_default();
        let c = s.calls.first().map(|c| c.curl.clone()).unwrap_or_default();
        assert_eq!(
            c,
            "curl -X 'GET' 'https://a.example/me?q=1' -H 'Authorization: Bearer abc'"
        );
        let s = read("https -A bearer -a tok api.example/items name=x").unwrap_or_default();
        let c = s.calls.first().map(|c| c.curl.clone()).unwrap_or_default();
        assert_eq!(
            c,
            "curl 'https://api.example/items' -H 'Authorization: Bearer tok' -d 'name=x'"
        );
    }
}
