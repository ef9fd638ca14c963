"""Live acquisition without a window: the protocols (one module per library: modbus for
pymodbus, mqtt for paho-mqtt), device templates and SunSpec discovery, payload formats, the
connection file, notifications, simulators, and the headless engine (pollers and MQTT intake
on their own threads, one writer thread, live alerting). No Qt: `energize acquire` runs it on a
mini-PC, the window through runtime/live_session."""
