//! `amanat desk keygen` and `amanat desk answer`: the offline machine's
//! part of enrolling a desk for air-gapped review (docs/reviewers.md).
//!
//! Both run without a network. `answer` decrypts the challenge the online
//! machine wrote with the reviewer's identity, and writes an answer that
//! binds its nonce to the desk key's public half; the nonce itself never
//! goes on the stick.

use super::{Ctx, write_new_file};
use crate::desk::{ANSWER_FORMAT, AnswerFile, CHALLENGE_FORMAT, ChallengeFile, DeskKey, read_json};
use crate::exit::{CliError, Exit};
use amanat_core::api::sync_enrol_response;
use data_encoding::BASE64;
use std::path::Path;
use zeroize::Zeroizing;

/// `amanat desk keygen -o FILE`: prints the public half.
pub fn keygen(output: &Path) -> Result<(), CliError> {
    let key = DeskKey::generate();
    key.save(output)?;
    eprintln!(
        "Desk key written to {}. Keep it on this offline machine only.",
        output.display()
    );
    println!("{}", key.public());
    Ok(())
}

/// `amanat desk answer CHALLENGE -i IDENTITY --desk-key FILE --out FILE`.
pub fn answer(
    ctx: &Ctx,
    challenge: &Path,
    identity: &Path,
    desk_key: &Path,
    out: &Path,
) -> Result<(), CliError> {
    let ch: ChallengeFile = read_json(challenge, "a sync challenge file", CHALLENGE_FORMAT)?;
    let key = DeskKey::load(desk_key)?;
    let key_file = crate::decrypt::Identity::new(identity, ctx.load_identity);
    let id = key_file.get()?;
    if id.recipient != ch.recipient {
        return Err(CliError::new(
            Exit::Decrypt,
            format!(
                "the challenge is for {}, not for this identity ({})",
                ch.recipient, id.recipient
            ),
        ));
    }
    let ct = BASE64
        .decode(ch.challenge.as_bytes())
        .map_err(|_| CliError::general("the challenge file holds a malformed challenge"))?;
    let nonce = key_file
        .open(&ct)?
        .ok_or_else(|| CliError::new(Exit::Decrypt, "this identity cannot open the challenge"))?;
    let nonce = Zeroizing::new(
        String::from_utf8(nonce.to_vec()).map_err(|_| CliError::general("malformed challenge"))?,
    );
    let public = key.public();
    let answer = AnswerFile {
        format: ANSWER_FORMAT.into(),
        server: ch.server,
        challenge_id: ch.challenge_id,
        response: sync_enrol_response(&nonce, &public).to_string(),
        desk_key: public,
    };
    let text = serde_json::to_vec_pretty(&answer).map_err(|e| CliError::general(e.to_string()))?;
    write_new_file(out, &text)?;
    eprintln!(
        "Answer written to {}. Carry it to the online machine and run `amanat sync enrol {}` \
         there (within the server's limit, 30 minutes by default).",
        out.display(),
        out.display()
    );
    Ok(())
}
