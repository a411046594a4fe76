//! `runsheet identity show|create|import FILE.p12|export-cert FILE`: the signing identity whose private key lives
//! in the OS keyring, in the app's identity service (`runsheet-identity`, the one the desktop uses too). The key is
//! never printed or written to a file here.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::cmd::print_json;
use crate::ctx::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the signing identity (subject, fingerprint, validity).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Create a self-signed identity (ECDSA P-256) for NAME (default: the operator name).
    Create {
        #[arg(long)]
        name: Option<String>,
        /// Replace an existing identity.
        #[arg(long)]
        force: bool,
    },
    /// Import an identity from a PKCS#12 file; the password comes from $RUNSHEET_P12_PASSWORD, else stdin.
    Import {
        file: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Write the certificate (PEM) to FILE, e.g. to give verifiers a trust root.
    ExportCert { file: PathBuf },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let app = ctx.app()?;
    match cmd {
        Command::Show { json } => {
            let info = app.identity_info()?;
            if json {
                return print_json(&info);
            }
            println!("subject      {}", info.subject_dn);
            println!("issuer       {}{}", info.issuer_dn, if info.self_signed { " (self-signed)" } else { "" });
            println!("valid        {} .. {}", info.not_before, info.not_after);
            println!("serial       {}", info.serial);
            println!("sha-256      {}", info.fingerprint_sha256);
            if info.chain_len > 0 {
                println!("chain        {} issuer certificate(s)", info.chain_len);
            }
            Ok(())
        }
        Command::Create { name, force } => {
            let id = app.create_identity(&ctx.operator(name.as_deref()), force)?;
            println!("created self-signed identity for {} (sha-256 {})", id.subject, id.fingerprint);
            Ok(())
        }
        Command::Import { file, force } => {
            // Refused before the password is asked for, not after.
            app.refuse_existing(force)?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let password = match std::env::var("RUNSHEET_P12_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    if std::io::stdin().is_terminal() {
                        eprint!("password for {}: ", file.display());
                    }
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).context("reading the PKCS#12 password from stdin")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let id = app.import_identity(&bytes, &password, force)?;
            println!("imported identity {} (sha-256 {})", id.subject, id.fingerprint);
            Ok(())
        }
        Command::ExportCert { file } => {
            let id = app.export_certificate(&file)?;
            println!("wrote certificate of {} to {}", id.subject, file.display());
            Ok(())
        }
    }
}
