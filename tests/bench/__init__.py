"""The benchmark (``make bench``): throughput under gunicorn, measured with wrk. Not a test."""
