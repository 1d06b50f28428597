//! Revocations made by admin commands in other processes (`terminal revoke`, `lawyer
//! disable`) reach the running server through the database: every few seconds it looks up
//! the terminals and accounts that are connected or logged in, and ends what is no longer
//! allowed — sessions, signalling connections and their calls. Terminals' HTTP requests
//! are checked on every request anyway.

use crate::app::AppState;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

/// Checks at `state.config.revocation_check` until the server stops.
pub async fn watch(state: AppState, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(state.config.revocation_check);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => { sweep(&state).await; }
            _ = stopped.changed() => return,
        }
    }
}

/// One check; returns the terminals and accounts whose sessions were ended.
pub async fn sweep(state: &AppState) -> (Vec<String>, Vec<String>) {
    let connected = state.video.connected_terminals();
    let mut accounts = state.video.connected_lawyers();
    accounts.extend(state.lawyer_sessions.usernames().await);
    accounts.sort();
    accounts.dedup();
    if connected.is_empty() && accounts.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let found = state.store.not_active(connected, accounts).await;
    let (revoked, disabled) = match found {
        Ok(pair) => pair,
        Err(e) => {
            tracing::warn!("cannot check for revocations: {e}");
            return (Vec::new(), Vec::new());
        }
    };
    if !revoked.is_empty() {
        state.video.disconnect_terminals(&revoked);
    }
    if !disabled.is_empty() {
        let sessions = state.lawyer_sessions.end_for(&disabled).await;
        state.video.disconnect_lawyers(&disabled);
        tracing::warn!(accounts = ?disabled, sessions, "disabled lawyers logged out");
    }
    (revoked, disabled)
}
