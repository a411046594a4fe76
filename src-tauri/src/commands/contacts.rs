//! Contacts commands: the run's contacts card (placeholders still to fill in are marked missing) and filling in
//! a contact's details.
//!
//! Left out: where contacts come from and how a detail fills a placeholder (runsheet-core's parser and fold,
//! through runsheet-app). The actor is the operator name from settings.

use std::sync::{Arc, Mutex};

use runsheet_app::view::{ContactCard, ContactDetailInput};
use runsheet_app::App;
use tauri::State;

use crate::state::{blocking, operator, Settings};
use crate::wire::{required, CmdResult};

#[tauri::command]
#[specta::specta]
pub async fn contacts(run_id: String, app: State<'_, Arc<App>>) -> CmdResult<Vec<ContactCard>> {
    let id = required("run_id", &run_id)?;
    blocking(&app, move |a| a.contact_cards(&id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_contact(
    run_id: String,
    role: String,
    details: Vec<ContactDetailInput>,
    app: State<'_, Arc<App>>,
    settings: State<'_, Mutex<Settings>>,
) -> CmdResult<Vec<ContactCard>> {
    let (run, role) = (required("run_id", &run_id)?, required("role", &role)?);
    let actor = operator(&settings)?;
    blocking(&app, move |a| {
        let event = a.fill_contact(&run, &role, details, &actor)?;
        a.contact_cards(&event.run_id)
    })
    .await
}
