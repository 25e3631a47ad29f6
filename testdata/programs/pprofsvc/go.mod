module heatls.test/pprofsvc

go 1.19
