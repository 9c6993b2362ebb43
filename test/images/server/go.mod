module kdiag.test/server

go 1.21
