//! `runsheet identity show|create|import FILE.p12|export-cert FILE`: the signing identity whose private key lives
//! in the OS keyring (service `runsheet-identity`). The key is never printed or written to a file here.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use runsheet_report::{Identity, KeyringKeyStore};

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

/// The stored identity, or a clear error saying how to make one.
pub fn load() -> Result<Identity> {
    let store = KeyringKeyStore::open()?;
    Identity::load(&store)?.ok_or_else(|| runsheet_report::Error::NoIdentity.into())
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let store = KeyringKeyStore::open()?;
    match cmd {
        Command::Show { json } => {
            let id = Identity::load(&store)?.ok_or(runsheet_report::Error::NoIdentity)?;
            let info = id.info()?;
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
            if !force && Identity::load(&store)?.is_some() {
                bail!("a signing identity exists already (use --force to replace it)");
            }
            let name = ctx.operator(name.as_deref());
            let id = Identity::generate(&name, ctx.now())?;
            id.save(&store)?;
            println!("created self-signed identity for {} (sha-256 {})", id.subject(), id.fingerprint());
            Ok(())
        }
        Command::Import { file, force } => {
            if !force && Identity::load(&store)?.is_some() {
                bail!("a signing identity exists already (use --force to replace it)");
            }
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
            let id = Identity::from_pkcs12(&bytes, &password)?;
            id.save(&store)?;
            println!("imported identity {} (sha-256 {})", id.subject(), id.fingerprint());
            Ok(())
        }
        Command::ExportCert { file } => {
            let id = Identity::load(&store)?.ok_or(runsheet_report::Error::NoIdentity)?;
            std::fs::write(&file, id.cert_pem()?).with_context(|| format!("writing {}", file.display()))?;
            println!("wrote certificate of {} to {}", id.subject(), file.display());
            Ok(())
        }
    }
}
