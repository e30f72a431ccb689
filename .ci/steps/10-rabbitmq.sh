#!/usr/bin/env bash
# The machine has RabbitMQ; start it if it is down.
set -euo pipefail
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  rabbitmq-server -detached
  for _ in $(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 1; done
fi
echo "rabbitmq up"
