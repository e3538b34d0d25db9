//! `tools/call` round trips from rmcp's own client: the floor under what the Python SDK client
//! measures in `benchmarks/bench_mcp.py`, so the server's own cost shows.
//!
//! Usage: `mcp-bench-client CALLS WARMUP TEXT stdio PROGRAM [ARGS...]`
//!    or: `mcp-bench-client CALLS WARMUP TEXT http URL`
//!
//! Prints one JSON object: per tool (`server_info`, then `tokenize` with `TEXT`), the median and
//! p99 in milliseconds over `CALLS` calls after `WARMUP` calls, in one session.

use std::error::Error;
use std::time::Instant;

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use serde_json::{Map, Value, json};

type Failure = Box<dyn Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [calls, warmup, text, transport, target, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: mcp-bench-client CALLS WARMUP TEXT (stdio PROGRAM [ARGS...] | http URL)".into(),
        );
    };
    let (calls, warmup): (usize, usize) = (calls.parse()?, warmup.parse()?);
    let client = match transport.as_str() {
        "stdio" => {
            let mut command = tokio::process::Command::new(target);
            command.args(rest);
            ().serve(TokioChildProcess::new(command)?).await?
        }
        "http" => ().serve(StreamableHttpClientTransport::from_uri(target.as_str())).await?,
        other => return Err(format!("unknown transport {other:?}: stdio or http").into()),
    };
    let mut report = Map::new();
    let tokenize = Map::from_iter([("text".to_owned(), Value::from(text.as_str()))]);
    for (tool, arguments) in [("server_info", Map::new()), ("tokenize", tokenize)] {
        let params = CallToolRequestParams::new(tool).with_arguments(arguments);
        for _ in 0..warmup {
            client.call_tool(params.clone()).await?;
        }
        let mut samples = Vec::with_capacity(calls);
        for _ in 0..calls {
            let started = Instant::now();
            let result = client.call_tool(params.clone()).await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            if result.is_error == Some(true) {
                return Err(format!("{tool} failed: {:?}", result.content).into());
            }
        }
        samples.sort_by(f64::total_cmp);
        report.insert(
            tool.to_owned(),
            json!({"median_ms": median(&samples), "p99_ms": nearest_rank(&samples, 0.99), "calls": calls}),
        );
    }
    client.cancel().await?;
    println!("{}", Value::Object(report));
    Ok(())
}

/// The median of sorted `samples` (the mean of the middle two for an even count).
fn median(samples: &[f64]) -> f64 {
    let middle = samples.len() / 2;
    if samples.len().is_multiple_of(2) {
        f64::midpoint(samples[middle - 1], samples[middle])
    } else {
        samples[middle]
    }
}

/// The nearest-rank percentile of sorted `samples` (`fraction` in 0..=1), as the Python side takes it.
fn nearest_rank(samples: &[f64], fraction: f64) -> f64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = (fraction * samples.len() as f64).round() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}
