module kdiag.test/hostile

go 1.21
