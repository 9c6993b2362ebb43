module kdiag.test/udp-client

go 1.21
