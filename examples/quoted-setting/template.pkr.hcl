source "amazon-ebs" "web" {
  region        = "us-east-1"
  source_ami    = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  ssh_username  = "admin"
  ami_name      = "web-example"
}

build {
  sources = ["source.amazon-ebs.web"]

  provisioner "ansible" {
    playbook_file   = "playbook.yml"
    extra_arguments = ["--ssh-common-args", "'-o ControlPath=/tmp/cm-%C -o ServerAliveInterval=30'"]
  }
}
