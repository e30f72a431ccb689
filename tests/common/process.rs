//! A `docingest worker` child process for the tests that need the real binary (signals,
//! kills, its log output).

use super::TestEnv;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A `docingest worker` child process with this test's settings; its log goes to a file that is
/// printed when an assertion about it fails.
pub struct Proc {
    pub child: Child,
    pub log: PathBuf,
}

impl Proc {
    pub fn spawn(env: &TestEnv, extra: &[(&str, String)], log: PathBuf) -> Proc {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_docingest"));
        cmd.arg("worker")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.env())
            .envs(extra.iter().map(|(k, v)| (k.to_string(), v.clone())))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        Proc {
            child: cmd.spawn().unwrap(),
            log,
        }
    }

    pub fn signal(&self, sig: &str) {
        send_signal(&self.child, sig);
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + super::PATIENCE;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("worker did not exit; log:\n{}", self.log());
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kill SIG PID` for a child process (`-TERM`, `-KILL`, `-STOP`, `-CONT`).
pub fn send_signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig}");
}
