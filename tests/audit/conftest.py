from api.fixtures import demo_network_dir, query_counter, raw_clients

__all__ = ["demo_network_dir", "query_counter", "raw_clients"]
