module heatls.test/pyroscopesvc

go 1.19
