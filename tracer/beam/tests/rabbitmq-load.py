#!/usr/bin/python3
"""rabbitmq-load.py -- drives a RabbitMQ node with a real AMQP client
(python3-pika) for genheap-beam's RabbitMQ test: large messages through a
few queues, published and consumed, then the connection closes.

    rabbitmq-load.py PORT [MESSAGES] [QUEUES]

MESSAGES (default 3000) messages of 20 KB to 200 KB (sizes drawn with a
fixed seed, so runs are alike) are published round-robin to QUEUES
(default 3) non-durable queues gh_q0..., in batches of 300 that are then
consumed with acks (so about 35 MB wait in the queues at a time).  Prints
what it did.  Exit status 0 when every message came back.
"""
import random
import sys

import pika


def drain(ch, queues):
    n = 0
    for q in queues:
        while True:
            method, _props, _body = ch.basic_get(queue=q, auto_ack=False)
            if method is None:
                break
            ch.basic_ack(method.delivery_tag)
            n += 1
    return n


def main():
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    nqueues = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    rng = random.Random(13)
    params = pika.ConnectionParameters(host="127.0.0.1", port=port,
                                       heartbeat=0, blocked_connection_timeout=300)
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    queues = ["gh_q%d" % i for i in range(nqueues)]
    for q in queues:
        ch.queue_declare(queue=q, durable=False)
    published = 0
    volume = 0
    body_base = bytes(range(256)) * 800  # 204,800 bytes to slice from
    consumed = 0
    for i in range(count):
        size = rng.randint(20 * 1024, 200 * 1024)
        body = body_base[:size - 8] + i.to_bytes(8, "little")
        ch.basic_publish(exchange="", routing_key=queues[i % nqueues], body=body)
        published += 1
        volume += size
        if published % 300 == 0 or published == count:
            consumed += drain(ch, queues)
    conn.close()
    print("published %d messages (%d MB) to %d queues, consumed %d"
          % (published, volume // (1024 * 1024), nqueues, consumed))
    return 0 if consumed == published else 1


if __name__ == "__main__":
    sys.exit(main())
