//! One start-up path for `serve`, `demo` and tests: open the store, build the router, bind.

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::store::Store;
use crate::web::WebSettings;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    addr: SocketAddr,
}

impl Application {
    /// Opens (and migrates) the store and binds the address; port 0 picks a free port.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let store = Store::open(&config.database).await?;
        Self::with_store(store, config.addr).await
    }

    pub async fn with_store(store: Store, addr: SocketAddr) -> anyhow::Result<Self> {
        Self::with_settings(store, addr, WebSettings::default()).await
    }

    pub async fn with_settings(
        store: Store,
        addr: SocketAddr,
        settings: WebSettings,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("kan niet luisteren op {addr}: {e}"))?;
        let addr = listener.local_addr()?;
        Ok(Self {
            listener,
            router: crate::web::router_with(store, settings),
            addr,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    }
}
