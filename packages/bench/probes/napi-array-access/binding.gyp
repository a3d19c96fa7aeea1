{ "targets": [ { "target_name": "enc", "sources": [ "enc.c" ], "cflags": ["-O3", "-msse4.2"] } ] }
