from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary, Info, Enum
from prometheus_client.core import GaugeHistogramMetricFamily, Metric
from prometheus_client.openmetrics.exposition import generate_latest
import sys
r = CollectorRegistry()
c = Counter('http_requests', 'HTTP requests answered, by "route" and method.\nSecond line \\ with a backslash.', ['route', 'method'], registry=r)
c.labels('/api/orders', 'GET').inc(1042)
c.labels('/api/orders/{id}', 'POST').inc(7, exemplar={'trace_id': '4bf92f3577b34da6a3ce929d0e0e4736'})
c.labels('quote"back\\slash\nnewline', 'GET').inc(1)
g = Gauge('queue_depth_bytes', 'Bytes waiting.', unit='bytes', registry=r)
g.set(12.5)
h = Histogram('http_request_duration_seconds', 'Time to answer.', ['route'], unit='seconds', registry=r, buckets=[0.005, 0.1, 1, float('inf')])
h.labels('/api/orders').observe(0.05, exemplar={'trace_id': 'abc123'})
h.labels('/api/orders').observe(3)
s = Summary('payload_size_bytes', 'Payload sizes.', registry=r)
s.observe(512); s.observe(2048)
Info('build', 'Build information.', registry=r).info({'version': 'v2', 'revision': 'deadbeef'})
Enum('shop_state', 'The shop state.', states=['open', 'closed', 'maintenance'], registry=r).state('open')
class Custom:
    def collect(self):
        gh = GaugeHistogramMetricFamily('cart_items', 'Items in carts right now.', buckets=[('1', 4), ('5', 9), ('+Inf', 10)], gsum_value=31)
        yield gh
        m = Metric('legacy_thing', 'Something of unknown type.', 'unknown')
        m.add_sample('legacy_thing', {'kind': 'a'}, float('nan'))
        m.add_sample('legacy_thing', {'kind': 'b'}, float('-inf'), timestamp=1700000000.5)
        yield m
r.register(Custom())
sys.stdout.buffer.write(generate_latest(r))
