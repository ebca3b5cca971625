//! A tiny SMTP server for tests (feature `testing`): it keeps what it receives.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Default)]
pub struct Received {
    /// The recipients, as given to RCPT TO.
    pub to: Vec<String>,
    /// The message as sent (dot-stuffing undone).
    pub data: String,
}

/// A tiny SMTP server that keeps what it receives, refusing one recipient if asked.
pub struct Sink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    pub async fn start(refuse: Option<&'static str>) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
        let addr = listener.local_addr().expect("address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&received);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(smtp_session(socket, Arc::clone(&kept), refuse));
            }
        });
        Sink { addr, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("not poisoned").clone()
    }
}

/// Enough SMTP for one client: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
async fn smtp_session(socket: TcpStream, received: Arc<Mutex<Vec<Received>>>, refuse: Option<&'static str>) {
    let (reader, mut writer) = socket.into_split();
    let mut lines = BufReader::new(reader).lines();
    let mut message = Received::default();
    let _ = writer.write_all(b"220 sink.test ESMTP ready\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink.test\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO") || command == "RSET" || command == "NOOP" {
            b"250 OK\r\n"
        } else if command.starts_with("MAIL FROM:") {
            message = Received::default();
            b"250 OK\r\n"
        } else if let Some(to) = command.strip_prefix("RCPT TO:") {
            if refuse.is_some_and(|r| to.contains(&r.to_ascii_uppercase())) {
                b"550 5.1.1 No such mailbox\r\n"
            } else {
                message.to.push(line["RCPT TO:".len()..].trim_matches(['<', '>', ' ']).to_string());
                b"250 OK\r\n"
            }
        } else if command == "DATA" {
            let _ = writer.write_all(b"354 Go ahead\r\n").await;
            while let Ok(Some(data)) = lines.next_line().await {
                if data == "." {
                    break;
                }
                message.data.push_str(data.strip_prefix('.').unwrap_or(&data));
                message.data.push('\n');
            }
            received.lock().expect("not poisoned").push(std::mem::take(&mut message));
            b"250 OK queued\r\n"
        } else if command == "QUIT" {
            let _ = writer.write_all(b"221 Bye\r\n").await;
            return;
        } else {
            b"502 Not implemented\r\n"
        };
        if writer.write_all(reply).await.is_err() {
            return;
        }
    }
}
