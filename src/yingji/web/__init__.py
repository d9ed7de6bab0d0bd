"""Server-rendered web UI: login, the one map, registry pages; i18n (zh-CN default, English)."""
